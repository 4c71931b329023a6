from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiom.audit.actions import AuditAction, audit_action
from openiom.audit.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def event_digest(previous_hash: str, payload: dict[str, Any]) -> str:
    """The hash of an audit row: its content and the previous row's hash, canonically encoded."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((previous_hash + body).encode("utf-8")).hexdigest()


def audit_payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": event.occurred_at.isoformat(),
        "user_id": event.user_id,
        "username": event.username,
        "role": event.role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "fields": list(event.fields),
        "purpose": event.purpose,
        "detail": event.detail,
    }


@transaction.atomic
def audit_record(
    *,
    user: Any,
    # A plain name is still taken from the views.py call sites not yet converted; it must be registered.
    action: AuditAction | str,
    object_type: str = "",
    object_id: str | int = "",
    fields: Iterable[str] = (),
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. Called by the service or view that reads or changes the data.

    Raises UnknownAuditAction, writing nothing, if `action` is not in AuditAction.
    """
    action = audit_action(action)
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH, "last_event_id": None}
    )
    authenticated = bool(getattr(user, "is_authenticated", False))
    event = AuditEvent(
        occurred_at=timezone.now(),
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        role=getattr(user, "role", "") if authenticated else "",
        action=action.value,
        object_type=object_type,
        object_id=str(object_id),
        fields=sorted(fields),
        purpose=purpose,
        detail=detail or {},
        previous_hash=head.last_hash,
    )
    event.hash = event_digest(head.last_hash, audit_payload(event))
    event.save()
    head.last_hash = event.hash
    head.last_event_id = event.pk
    head.save(update_fields=["last_hash", "last_event_id"])
    return event
