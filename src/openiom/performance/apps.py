from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "openiom.performance"
    label = "performance"
