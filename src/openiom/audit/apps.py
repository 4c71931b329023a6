from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openiom.audit"
    label = "audit"
