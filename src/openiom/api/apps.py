from django.apps import AppConfig


class ApiConfig(AppConfig):
    # No ready() hook: the schema module (and drf-spectacular with it) loads only when a schema is
    # generated, via DEFAULT_SCHEMA_CLASS, so a web worker's first request stays fast.
    name = "openiom.api"
    label = "api"
