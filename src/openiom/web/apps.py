from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "openiom.web"
    label = "web"
