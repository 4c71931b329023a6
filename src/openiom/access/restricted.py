"""The one restricted-data check: health, substance misuse and victim information of a person.

Every page, export and command that can show such data asks `restricted_view` what it may show.
A group is *open* once the user, entitled to it, stated a purpose (or used emergency access, which
reveals the group too but alerts the coordinators and is reviewed afterwards). Open groups stay
open for `OPENIOM_UNLOCK_MINUTES` (default 15) in the session. A closed group is shown to entitled
users as a placeholder ("restricted — state a purpose to see") and to others not at all.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from openiom.access.selectors import HEALTH, VICTIM, PersonAccess, person_access
from openiom.access.services import emergency_access_record
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import RESTRICTED_OPEN_ACTIONS
from openiom.audit.services import audit_record
from openiom.people.models import Person
from openiom.vocabulary import RESTRICTED_PATHWAYS

SESSION_KEY = "openiom_restricted_unlocks"
PLACEHOLDER = gettext_lazy("restricted — state a purpose to see")
MIN_PURPOSE_WORDS = 3
MIN_PURPOSE_LETTERS = 5


def unlock_seconds() -> int:
    return int(getattr(settings, "OPENIOM_UNLOCK_MINUTES", 15)) * 60


def validate_purpose(value: str) -> None:
    """Refuse a stated purpose that says nothing: the one check for every purpose field.

    A reason is kept to be shown to the person and reviewed; filler ("aaaaaaaaaa", "x x x x",
    whitespace) would satisfy a length rule while recording nothing.
    """
    words = re.findall(r"[^\W\d_]+", value.lower())
    distinct_words = {w for w in words if len(set(w)) > 1}
    letters = {c for c in value.lower() if c.isalpha()}
    if len(distinct_words) < MIN_PURPOSE_WORDS or len(letters) < MIN_PURPOSE_LETTERS:
        raise ValidationError(
            gettext_lazy(
                "Say why you need to see this in at least %(words)d different words: the reason is "
                "recorded and reviewed, and repeated or filler characters say nothing"
            )
            % {"words": MIN_PURPOSE_WORDS},
            code="uninformative",
        )


class PurposeField(forms.CharField):
    """A stated purpose: trimmed, at least 10 characters, and saying something."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_length", 10)
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("validators", [validate_purpose])
        super().__init__(**kwargs)


class RevealForm(forms.Form):
    purpose = PurposeField(
        label=gettext_lazy("Why do you need to see this?"),
        help_text=gettext_lazy(
            "Your reason is recorded with your name, and can be shown to the person on request."
        ),
        error_messages={
            "required": gettext_lazy("Enter why you need to see this information"),
            "min_length": gettext_lazy("Give a fuller reason (at least 10 characters)"),
        },
    )
    emergency = forms.BooleanField(required=False)


@dataclass(frozen=True)
class Unlock:
    group: str
    until: float
    emergency: bool


def _unlocks(request: AuthenticatedRequest, person_id: int) -> list[Unlock]:
    stored: dict[str, Any] = request.session.get(SESSION_KEY, {})
    now = time.time()
    prefix = f"{person_id}:"
    found = []
    for key, value in stored.items():
        if not key.startswith(prefix):
            continue
        until, emergency = value if isinstance(value, list) else (value, False)
        if until > now:
            found.append(Unlock(key[len(prefix) :], float(until), bool(emergency)))
    return found


@dataclass(frozen=True)
class RestrictedView:
    """What one user may see of one person's restricted data in this request."""

    entitled: frozenset[str]
    open: frozenset[str]
    emergency: tuple[Unlock, ...]
    emergency_allowed: bool

    def shows(self, group: str) -> bool:
        return group in self.open

    def placeholder(self, group: str) -> bool:
        """A closed group the user is entitled to open: show the placeholder (others see nothing)."""
        return group not in self.open and group in self.entitled

    @property
    def health_open(self) -> bool:
        return HEALTH in self.open

    @property
    def victim_open(self) -> bool:
        return VICTIM in self.open

    @property
    def shows_domestic_abuse(self) -> bool:
        """The domestic-abuse marker tells about a victim: it needs the victim permission."""
        return VICTIM in self.entitled or VICTIM in self.open

    def pathway_shown(self, pathway: str | None) -> bool:
        return pathway not in RESTRICTED_PATHWAYS or self.health_open

    @property
    def emergency_until_display(self) -> str:
        """When the last emergency unlock closes, in local time, for the banner."""
        until = max((u.until for u in self.emergency), default=None)
        if until is None:
            return ""
        moment = timezone.localtime(datetime.fromtimestamp(until, tz=UTC))
        return moment.strftime("%H:%M")


def restricted_view(
    request: AuthenticatedRequest, person: Person | int, grants: PersonAccess | None = None
) -> RestrictedView:
    """The restricted-data check for `person`, as the page for this request may show it."""
    person_id = person if isinstance(person, int) else person.pk
    if grants is None:
        subject = person if isinstance(person, Person) else Person.objects.get(pk=person_id)
        grants = person_access(request.user, subject)
    unlocks = _unlocks(request, person_id)
    opened = {u.group for u in unlocks if not u.emergency and u.group in grants.restricted_allowed}
    emergency = tuple(u for u in unlocks if u.emergency and grants.emergency_allowed)
    opened |= {u.group for u in emergency}
    return RestrictedView(
        entitled=grants.restricted_allowed,
        open=frozenset(opened),
        emergency=emergency,
        emergency_allowed=grants.emergency_allowed,
    )


def restricted_open(request: AuthenticatedRequest, person: Person, group: str) -> str | None:
    """Open `group` for the user if allowed, recording why. Returns a form error to show, if any.

    Raises PermissionDenied when the user may neither open the group nor use emergency access.
    """
    form = RevealForm(request.POST)
    if not form.is_valid():
        return str(form.errors["purpose"][0])
    purpose = form.cleaned_data["purpose"]
    grants = person_access(request.user, person)
    user = request.user
    emergency = False
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
        emergency_access_record(
            user=user, person=person, group=group, purpose=purpose, minutes=unlock_seconds() // 60
        )
        emergency = True
    else:
        raise PermissionDenied
    unlocks: dict[str, Any] = request.session.get(SESSION_KEY, {})
    unlocks[f"{person.pk}:{group}"] = [time.time() + unlock_seconds(), emergency]
    request.session[SESSION_KEY] = unlocks
    return None
