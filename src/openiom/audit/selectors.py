from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from openiom.audit.models import AuditChainHead, AuditEvent
from openiom.audit.services import GENESIS_HASH, audit_payload, event_digest


def person_access_log(*, person_id: int) -> QuerySet[AuditEvent]:
    """Everyone who read or changed this person's record, newest first (for subject-access requests)."""
    return AuditEvent.objects.filter(object_type="person", object_id=str(person_id)).order_by(
        "-occurred_at", "-id"
    )


@dataclass(frozen=True)
class ChainProblem:
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"row {self.event_id}" if self.event_id is not None else "end of the trail"
        return f"{where}: {self.problem}"


def audit_chain_verify() -> tuple[int, list[ChainProblem]]:
    """Walk the whole trail and report every row that was edited, inserted or deleted."""
    problems: list[ChainProblem] = []
    previous_hash, previous_id, count = GENESIS_HASH, None, 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
        count += 1
        if event.previous_hash != previous_hash:
            after = f"row {previous_id}" if previous_id is not None else "the start"
            problems.append(
                ChainProblem(event.pk, f"does not follow {after}: a row was deleted or inserted between them")
            )
        if event_digest(event.previous_hash, audit_payload(event)) != event.hash:
            problems.append(ChainProblem(event.pk, "its content does not match its hash: the row was edited"))
        previous_hash, previous_id = event.hash, event.pk
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous_hash:
        problems.append(
            ChainProblem(
                None,
                f"the last row is {previous_id} but the trail ended at row {head.last_event_id}: "
                "rows were deleted from the end",
            )
        )
    return count, problems


ACCESS_LOG_SHOWN = 500


def person_access_log_recent(*, person_id: int) -> list[AuditEvent]:
    """The newest of the person's access log, as many as the page shows (the CSV has them all)."""
    return list(person_access_log(person_id=person_id)[:ACCESS_LOG_SHOWN])


def person_access_log_all(*, person_id: int) -> Iterator[AuditEvent]:
    """The whole access log, streamed rather than held in memory: a long-managed person's is large."""
    return person_access_log(person_id=person_id).iterator()
