from django.apps import AppConfig


class OffendingConfig(AppConfig):
    name = "openiom.offending"
    label = "offending"
