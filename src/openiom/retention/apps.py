from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "openiom.retention"
    label = "retention"
