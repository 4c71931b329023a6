"""The one place that decides whether a user may perform an action.

Every view declares its action with `@requires("person.view")` or `@public`; the permission
middleware refuses any view that declares nothing (deny by default). Which roles may perform which
action is data (`ROLE_ACTIONS`), not code scattered through views.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openiom.accounts.roles import Role

PUBLIC = "public"
SIGNED_IN = "signed_in"
# Signed in with a password but not yet through two-factor: only the two-factor page itself.
TWO_FACTOR = "two_factor"
ACTION_ATTR = "openiom_action"

_ALL_STAFF = frozenset(Role)
_PERSON_READERS = frozenset(
    {Role.POLICE_OFFICER, Role.PROBATION_PRACTITIONER, Role.COORDINATOR, Role.ANALYST, Role.ADMINISTRATOR}
)

# action -> roles allowed. Scope (scheme, agency, referral) is narrowed further by selectors.
ROLE_ACTIONS: dict[str, frozenset[Role]] = {
    "person.search": _PERSON_READERS,
    "person.view": _PERSON_READERS,
    "cohort.analyse": frozenset({Role.ANALYST, Role.COORDINATOR, Role.ADMINISTRATOR}),
    "evaluation.run": frozenset({Role.ANALYST, Role.ADMINISTRATOR}),
    "reference.view": _ALL_STAFF,
    "reference.manage": frozenset({Role.ADMINISTRATOR}),
}


def requires[F: Callable[..., Any]](action: str) -> Callable[[F], F]:
    if action not in ROLE_ACTIONS and action not in (PUBLIC, SIGNED_IN, TWO_FACTOR):
        raise ValueError(f"unknown action {action!r}: add it to openiom.access.policy.ROLE_ACTIONS")

    def decorate(view: F) -> F:
        setattr(view, ACTION_ATTR, action)
        return view

    return decorate


def public[F: Callable[..., Any]](view: F) -> F:
    setattr(view, ACTION_ATTR, PUBLIC)
    return view


def action_of(view: Callable[..., Any]) -> str | None:
    target = getattr(view, "view_class", view)
    return getattr(target, ACTION_ATTR, None) or getattr(view, ACTION_ATTR, None)


def has_permission(user: Any, action: str) -> bool:
    if action == PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if action in (SIGNED_IN, TWO_FACTOR):
        return True
    allowed = ROLE_ACTIONS.get(action)
    return allowed is not None and user.role in allowed
