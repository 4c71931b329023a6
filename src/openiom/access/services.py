from __future__ import annotations

from typing import Any

from django.db import transaction

from openiom.access.models import CoordinatorAlert
from openiom.access.selectors import user_schemes
from openiom.audit.services import audit_record
from openiom.people.models import Person


@transaction.atomic
def emergency_access_record(*, user: Any, person: Person, group: str, purpose: str) -> None:
    """Emergency access to restricted data: always audited, and reported to the scheme coordinators."""
    audit_record(
        user=user,
        action="restricted.emergency",
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
