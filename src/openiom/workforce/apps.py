from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _default_catalogue(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """A new (or flushed) database starts with the default catalogue; later edits are never undone."""
    from openiom.workforce.catalogue import default_courses
    from openiom.workforce.models import Course

    courses = Course.objects.using(using)
    if not courses.exists():
        courses.bulk_create(Course(**values) for values in default_courses())


class WorkforceConfig(AppConfig):
    name = "openiom.workforce"
    label = "workforce"

    def ready(self) -> None:
        post_migrate.connect(_default_catalogue, sender=self)
