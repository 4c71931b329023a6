"""Registering API clients and recording the tokens they are issued."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from openiom.access.models import Agency, Scheme, SchemeMembership
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.api.models import IdempotentRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cases.models import ServiceReferral

if TYPE_CHECKING:
    from openiom.accounts.types import Actor

NAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")


class ClientRegistrationError(ValueError):
    pass


@dataclass(frozen=True)
class RegisteredClient:
    name: str
    client_id: str
    client_secret: str  # shown once: only its hash is stored


@transaction.atomic
def register_client(
    *, by: Actor, name: str, agency_code: str, scheme_codes: list[str], role: str
) -> RegisteredClient:
    """A machine client: a service-account user with the role, agency and schemes, and its OAuth2
    application (client credentials). The call runs as that user, so its permissions are the role's."""
    if not NAME.fullmatch(name):
        raise ClientRegistrationError(
            f"name {name!r}: 3 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    if User.objects.filter(username=name).exists():
        raise ClientRegistrationError(f"name {name!r}: an account or client of that name already exists")
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise ClientRegistrationError(f"role {role!r}: one of {', '.join(r.value for r in Role)}") from exc
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise ClientRegistrationError(f"agency {agency_code!r}: no agency has that code")
    schemes = list(Scheme.objects.filter(code__in=scheme_codes))
    missing = sorted(set(scheme_codes) - {s.code for s in schemes})
    if missing:
        raise ClientRegistrationError(f"scheme {', '.join(missing)}: no scheme has that code")
    account = User(username=name, role=role_value, agency=agency, first_name=name, last_name="(API client)")
    account.set_unusable_password()  # a system cannot sign in to the pages
    account.save()
    SchemeMembership.objects.bulk_create([SchemeMembership(user=account, scheme=s) for s in schemes])
    secret = generate_client_secret()
    application = Application.objects.create(
        name=name,
        user=account,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
    )
    audit_record(
        user=by,
        action=AuditAction.API_REGISTER_CLIENT,
        object_type="user",
        object_id=account.pk,
        detail={
            "client": name,
            "client_id": application.client_id,
            "agency": agency.code,
            "schemes": sorted(s.code for s in schemes),
            "role": role_value.value,
        },
    )
    return RegisteredClient(name, application.client_id, secret)


def token_issued(*, access_token: str) -> None:
    checksum = hashlib.sha256(access_token.encode("utf-8")).hexdigest()
    token = AccessToken.objects.select_related("application__user").get(token_checksum=checksum)
    assert token.application is not None  # issued through the token endpoint to a client
    audit_record(
        user=token.application.user,
        action=AuditAction.API_TOKEN,
        detail={"via": "api", "client_id": token.application.client_id, "expires": token.expires.isoformat()},
    )


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def idempotent_remember(
    *, user: User, key: str, fingerprint: str, status: int, body: dict[str, Any], etag: str
) -> None:
    """Keep the answer to a keyed POST, so a retry after a lost response repeats it instead of the write."""
    IdempotentRequest.objects.create(
        user=user, key=key, fingerprint=fingerprint, status=status, body=body, etag=etag
    )


@transaction.atomic
def referral_status_change(
    *,
    user: User,
    referral: ServiceReferral,
    change: dict[str, Any],
    answer: Callable[[ServiceReferral], dict[str, Any]],
    idempotency: tuple[str, str] | None,
    etag: Callable[[int], str],
) -> ServiceReferral:
    """The cases service's own update (its rules, its optimistic lock, its audit row), and the answer
    kept under the Idempotency-Key in the same transaction: both happen, or neither."""
    from openiom.cases.services import referral_update

    updated = referral_update(user=user, referral=referral, version=referral.version, **change)
    if idempotency is not None:
        key, fingerprint = idempotency
        idempotent_remember(
            user=user,
            key=key,
            fingerprint=fingerprint,
            status=200,
            body=answer(updated),
            etag=etag(updated.version),
        )
    return updated
