from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "openiom.access"
    label = "access"
