from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _default_catalogue(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """A new (or flushed) database starts with the default catalogue and lanes; later edits are never
    undone."""
    from openiom.workforce.catalogue import default_courses, default_lanes
    from openiom.workforce.models import Course, LaneRule

    courses = Course.objects.using(using)
    if not courses.exists():
        courses.bulk_create(Course(**values) for values in default_courses())
    rules = LaneRule.objects.using(using)
    if not rules.exists():
        rules.bulk_create(
            LaneRule(action_type=action_type, owner_kinds=kinds)
            for action_type, kinds in default_lanes().items()
        )


class WorkforceConfig(AppConfig):
    name = "openiom.workforce"
    label = "workforce"

    def ready(self) -> None:
        post_migrate.connect(_default_catalogue, sender=self)
