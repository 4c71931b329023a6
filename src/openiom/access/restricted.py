"""Opening a restricted part of a person's record (victim, health) with a stated purpose.

One flow for every page that shows restricted data: the purpose is recorded in the audit trail,
emergency access alerts the coordinators, and the part stays open for 15 minutes in the session.
"""

from __future__ import annotations

import time

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from openiom.access.selectors import person_access
from openiom.access.services import emergency_access_record
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import RESTRICTED_OPEN_ACTIONS
from openiom.audit.services import audit_record
from openiom.people.models import Person

UNLOCK_SECONDS = 15 * 60
SESSION_KEY = "openiom_restricted_unlocks"


class RevealForm(forms.Form):
    purpose = forms.CharField(
        label=gettext_lazy("Why do you need to see this?"),
        help_text=gettext_lazy(
            "Your reason is recorded with your name, and can be shown to the person on request."
        ),
        min_length=10,
        max_length=300,
        error_messages={
            "required": gettext_lazy("Enter why you need to see this information"),
            "min_length": gettext_lazy("Give a fuller reason (at least 10 characters)"),
        },
    )
    emergency = forms.BooleanField(required=False)


def unlocked_groups(request: AuthenticatedRequest, person_id: int) -> set[str]:
    """The restricted groups of this person the user opened in this session and that are still open."""
    unlocks: dict[str, float] = request.session.get(SESSION_KEY, {})
    now = time.time()
    prefix = f"{person_id}:"
    return {key[len(prefix) :] for key, until in unlocks.items() if key.startswith(prefix) and until > now}


def restricted_open(request: AuthenticatedRequest, person: Person, group: str) -> str | None:
    """Open `group` for the user if allowed, recording why. Returns a form error to show, if any.

    Raises PermissionDenied when the user may neither open the group nor use emergency access.
    """
    form = RevealForm(request.POST)
    if not form.is_valid():
        return str(form.errors["purpose"][0])
    purpose = form.cleaned_data["purpose"]
    user = request.user
    grants = person_access(user, person)
    if group in grants.restricted_allowed:
        audit_record(
            user=user,
            action=RESTRICTED_OPEN_ACTIONS[group],
            object_type="person",
            object_id=person.pk,
            fields=[group],
            purpose=purpose,
        )
    elif grants.emergency_allowed and form.cleaned_data["emergency"]:
        emergency_access_record(user=user, person=person, group=group, purpose=purpose)
    else:
        raise PermissionDenied
    unlocks: dict[str, float] = request.session.get(SESSION_KEY, {})
    unlocks[f"{person.pk}:{group}"] = time.time() + UNLOCK_SECONDS
    request.session[SESSION_KEY] = unlocks
    return None
