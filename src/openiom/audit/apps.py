from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class AuditConfig(AppConfig):
    name = "openiom.audit"
    label = "audit"

    def ready(self) -> None:
        checks.register(signing_key_configured)


def signing_key_configured(**kwargs: Any) -> list[checks.CheckMessage]:
    """In production, refuse to migrate or serve without the audit signing key (checked at start-up,
    not first at a user's page view)."""
    if not settings.PRODUCTION:
        return []
    from django.core.exceptions import ImproperlyConfigured

    from openiom.audit.anchor import signing_key

    try:
        signing_key()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="openiom.audit.E001")]
    return []
