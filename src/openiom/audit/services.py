from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openiom.audit import anchor
from openiom.audit.actions import AuditAction, audit_action
from openiom.audit.models import AuditChainHead, AuditEvent
from openiom.audit.subjects import subject_of

if TYPE_CHECKING:
    from openiom.accounts.types import Actor

GENESIS_HASH = "0" * 64


def event_digest(previous_hash: str, payload: dict[str, Any]) -> str:
    """The hash of an audit row: its content and the previous row's hash, canonically encoded."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((previous_hash + body).encode("utf-8")).hexdigest()


def audit_payload(event: AuditEvent) -> dict[str, Any]:
    """What a row's hash covers. Rows of payload version 1 predate the subject column and keep
    their original content, so they verify as they always did; later rows hash their subject too."""
    payload = {
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
    if event.payload_version >= 2:
        payload["payload_version"] = event.payload_version
        payload["subject"] = event.subject_person
    return payload


@transaction.atomic
def audit_record(
    *,
    user: Actor,
    action: AuditAction,
    object_type: str = "",
    object_id: str | int = "",
    fields: Iterable[str] = (),
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    subject: int | None = None,
) -> AuditEvent:
    """Append one audit row. Called by the service or view that reads or changes the data.

    The row's subject (the person it is about, for their access log) is `subject` if given, else
    worked out from the object (a person, or a case, plan, referral or alert about one).
    Raises UnknownAuditAction, writing nothing, if `action` is not in AuditAction.
    """
    action = audit_action(action)
    detail = detail or {}
    if subject is None:
        subject = subject_of(object_type, str(object_id), detail)
    # Loaded before anything is written: without its signing key the trail refuses to grow unanchored.
    key = anchor.signing_key()
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_hash": GENESIS_HASH, "last_event_id": None, "length": 0}
    )
    # The system (None) and anonymous visitors are recorded without a user.
    known = user if user is not None and user.is_authenticated else None
    event = AuditEvent(
        occurred_at=timezone.now(),
        user=known,
        username=known.get_username() if known else "",
        role=known.role if known else "",
        action=action.value,
        object_type=object_type,
        object_id=str(object_id),
        fields=sorted(fields),
        purpose=purpose,
        detail=detail,
        subject_person=subject,
        payload_version=2,
        previous_hash=head.last_hash,
    )
    event.hash = event_digest(head.last_hash, audit_payload(event))
    event.save()
    head.last_hash = event.hash
    head.last_event_id = event.pk
    head.length += 1
    head.save(update_fields=["last_hash", "last_event_id", "length"])
    if head.length % settings.OPENIOM_AUDIT_CHECKPOINT_EVERY == 0:
        _checkpoint_on_commit(key, position=head.length, event_id=event.pk, head_hash=event.hash)
    return event


def _checkpoint_on_commit(key: Ed25519PrivateKey, *, position: int, event_id: int, head_hash: str) -> None:
    # After the commit only: a checkpoint for a row that was then rolled back would look like a
    # truncated trail. Concurrent workers may append out of order; each checkpoint stands alone.
    transaction.on_commit(
        lambda: anchor.append_checkpoint(key, position=position, event_id=event_id, head=head_hash)
    )


@transaction.atomic
def audit_checkpoint() -> tuple[int, int | None]:
    """Sign the chain head as it stands now (for a trail written before checkpoints existed, or when
    OPENIOM_AUDIT_CHECKPOINT_EVERY is above 1): returns the position and row it anchors."""
    key = anchor.signing_key()
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None or head.last_event_id is None:
        return 0, None
    _checkpoint_on_commit(key, position=head.length, event_id=head.last_event_id, head_hash=head.last_hash)
    return head.length, head.last_event_id
