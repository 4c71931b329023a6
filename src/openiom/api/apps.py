from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "openiom.api"
    label = "api"

    def ready(self) -> None:
        # Registers the authentication classes with drf-spectacular, so the schema names them.
        from openiom.api import schema  # noqa: F401
