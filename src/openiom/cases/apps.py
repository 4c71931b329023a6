from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "openiom.cases"
    label = "cases"
