from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from openiom.access.models import CoordinatorAlert, ReviewOutcome
from openiom.access.selectors import alerts_visible_to, user_schemes
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.people.models import Person

if TYPE_CHECKING:
    from openiom.accounts.models import User

    pass


@transaction.atomic
def emergency_access_record(
    *, user: User, person: Person, group: str, purpose: str, minutes: int = 15
) -> None:
    """Emergency access to restricted data: always audited, and reported to the scheme coordinators.

    The message does not name the person: each coordinator sees them as they may (name, or
    pseudonym), from the alert's person, when the alerts page is shown.
    """
    audit_record(
        user=user,
        action=AuditAction.RESTRICTED_EMERGENCY,
        object_type="person",
        object_id=person.pk,
        fields=[group],
        purpose=purpose,
        detail={"minutes": minutes},
    )
    name = user.get_full_name() or user.get_username()
    CoordinatorAlert.objects.bulk_create(
        CoordinatorAlert(
            scheme=scheme,
            person=person,
            raised_by=user,
            group=group,
            purpose=purpose,
            message=f"{name} used emergency access to the {group} information for {minutes} minutes: {purpose}",
        )
        for scheme in user_schemes(user)
    )


@transaction.atomic
def alert_review(*, user: User, alert_id: int, outcome: str, note: str) -> CoordinatorAlert | None:
    """Record a coordinator's review of an alert of one of their schemes; None if there is no such alert.

    Every review is audited, a second review too: a changed outcome must leave its trace.
    """
    if outcome not in ReviewOutcome.values:
        raise ValueError(f"outcome: {outcome!r} is not one of {', '.join(ReviewOutcome.values)}")
    alert = alerts_visible_to(user).select_for_update(of=("self",)).filter(pk=alert_id).first()
    if alert is None:
        return None
    alert.acknowledged_at = timezone.now()
    alert.reviewed_by = user
    alert.outcome = outcome
    alert.outcome_note = note
    alert.save(update_fields=["acknowledged_at", "reviewed_by", "outcome", "outcome_note"])
    audit_record(
        user=user,
        action=AuditAction.ALERTS_REVIEW,
        object_type="coordinator_alert",
        object_id=alert.pk,
        detail={"outcome": outcome, "note": note, "person": alert.person_id},
    )
    return alert
