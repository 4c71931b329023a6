from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "openiom.reference"
    label = "reference"
