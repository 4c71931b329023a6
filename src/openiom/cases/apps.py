from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _default_lists(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """A new (or flushed) database starts with the default lists; later edits are never undone."""
    from openiom.cases.lists import default_entries
    from openiom.cases.models import ListEntry

    entries = ListEntry.objects.using(using)
    if not entries.exists():
        entries.bulk_create(ListEntry(**values) for values in default_entries())


class CasesConfig(AppConfig):
    name = "openiom.cases"
    label = "cases"

    def ready(self) -> None:
        post_migrate.connect(_default_lists, sender=self)
