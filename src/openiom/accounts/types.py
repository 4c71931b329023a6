"""Who is asking: the types the permission check, services and views agree on.

Views that require an action are reached only by a signed-in, active user (the permission
middleware refuses anyone else first), so they take an AuthenticatedRequest whose `user` is a
User; the checks themselves also accept the anonymous visitor and the system (None). Nothing here
imports a model at run time: the permission table is read by commands before Django is set up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from openiom.accounts.models import User

    # The permission check and the audit trail are asked about anyone; None is the system.
    type Actor = User | AnonymousUser | None


class AuthenticatedRequest(HttpRequest):
    user: User  # narrowed: the permission middleware admits only signed-in users


def signed_in(actor: Actor) -> TypeGuard[User]:
    """Whether the actor is an active, signed-in user (AnonymousUser is neither)."""
    return actor is not None and actor.is_authenticated and actor.is_active
