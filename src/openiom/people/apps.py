from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "openiom.people"
    label = "people"
