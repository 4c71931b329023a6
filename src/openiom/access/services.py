from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from openiom.access.models import CoordinatorAlert
from openiom.access.selectors import alerts_visible_to, user_schemes
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.people.models import Person

if TYPE_CHECKING:
    from openiom.accounts.models import User


@transaction.atomic
def emergency_access_record(*, user: User, person: Person, group: str, purpose: str) -> None:
    """Emergency access to restricted data: always audited, and reported to the scheme coordinators."""
    audit_record(
        user=user,
        action=AuditAction.RESTRICTED_EMERGENCY,
        object_type="person",
        object_id=person.pk,
        fields=[group],
        purpose=purpose,
    )
    name = user.get_full_name() or user.get_username()
    CoordinatorAlert.objects.bulk_create(
        CoordinatorAlert(
            scheme=scheme,
            person=person,
            raised_by=user,
            message=f"{name} used emergency access to the {group} information of person {person.pk}: {purpose}",
        )
        for scheme in user_schemes(user)
    )


@transaction.atomic
def alert_acknowledge(*, user: User, alert_id: int) -> CoordinatorAlert | None:
    """Mark an alert of one of the user's schemes as seen; None if there is no such alert for them."""
    alert = alerts_visible_to(user).filter(pk=alert_id).first()
    if alert is None:
        return None
    alert.acknowledged_at = timezone.now()
    alert.save(update_fields=["acknowledged_at"])
    audit_record(
        user=user, action=AuditAction.ALERTS_ACKNOWLEDGE, object_type="coordinator_alert", object_id=alert.pk
    )
    return alert
