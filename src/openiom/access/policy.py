"""The one place that decides whether a user may perform an action, and over which records.

Every view declares its action with `@requires("person.view")` or `@public`; the permission
middleware refuses any view that declares nothing (deny by default). Which roles may perform which
action, and with which scope, is data: permissions.yaml beside this file.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from openiom.accounts.roles import Role
from openiom.accounts.types import signed_in

if TYPE_CHECKING:
    from openiom.accounts.types import Actor

PUBLIC = "public"
SIGNED_IN = "signed_in"
# Signed in with a password but not yet through two-factor: only the two-factor page itself.
TWO_FACTOR = "two_factor"
ACTION_ATTR = "openiom_action"
PERMISSIONS_FILE = Path(__file__).with_name("permissions.yaml")


class Scope(StrEnum):
    ALL = "all"
    SCHEME = "scheme"
    PSEUDONYMISED = "pseudonymised"
    REFERRAL = "referral"
    NATIONAL_AGGREGATE = "national_aggregate"


class PermissionsError(ValueError):
    pass


def load_permissions(path: Path = PERMISSIONS_FILE) -> dict[Role, dict[str, Scope]]:
    raw: dict[str, dict[str, str]] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    table: dict[Role, dict[str, Scope]] = {role: {} for role in Role}
    for role_name, actions in raw.items():
        try:
            role = Role(role_name)
        except ValueError as exc:
            raise PermissionsError(f"{path.name}: unknown role {role_name!r}") from exc
        for action, scope in (actions or {}).items():
            try:
                table[role][action] = Scope(scope)
            except ValueError as exc:
                raise PermissionsError(f"{path.name}: {role_name}.{action}: unknown scope {scope!r}") from exc
    return table


PERMISSIONS = load_permissions()
ACTIONS = frozenset(action for actions in PERMISSIONS.values() for action in actions)


def requires[F: Callable[..., Any]](action: str) -> Callable[[F], F]:
    if action not in ACTIONS and action not in (PUBLIC, SIGNED_IN, TWO_FACTOR):
        raise ValueError(f"unknown action {action!r}: give it to a role in {PERMISSIONS_FILE.name}")

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


def scope_for(actor: Actor, action: str) -> Scope | None:
    """The scope in which the user may perform the action, or None if not at all."""
    if not signed_in(actor):
        return None
    try:
        role = Role(actor.role)
    except ValueError:
        return None
    return PERMISSIONS[role].get(action)


def has_permission(actor: Actor, action: str) -> bool:
    if action == PUBLIC:
        return True
    if not signed_in(actor):
        return False
    if action in (SIGNED_IN, TWO_FACTOR):
        return True
    return scope_for(actor, action) is not None
