from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "openiom.cohorts"
    label = "cohorts"
