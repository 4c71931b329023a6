from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "openiom.identity"
    label = "identity"
