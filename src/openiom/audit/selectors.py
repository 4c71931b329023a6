from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

from openiom.audit import anchor
from openiom.audit.anchor import Checkpoint
from openiom.audit.models import AuditChainHead, AuditEvent
from openiom.audit.services import GENESIS_HASH, audit_payload, event_digest
from openiom.audit.subjects import recorded_subject


def person_access_log(*, person_id: int) -> QuerySet[AuditEvent]:
    """Everyone who read or changed anything about this person (their record, case, plan, needs,
    referrals, restricted openings, exports, command-line reads), newest first: every row whose
    subject is the person (for subject-access requests)."""
    return AuditEvent.objects.filter(subject_person=person_id).order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class ChainProblem:
    event_id: int | None
    problem: str
    # edited, broken_link, head, rewritten, moved, missing, truncated, fork, checkpoint_tampered,
    # unanchored, store
    kind: str = "chain"

    def __str__(self) -> str:
        return f"row {self.event_id}: {self.problem}" if self.event_id is not None else self.problem


@dataclass(frozen=True)
class AuditVerification:
    rows: int
    problems: list[ChainProblem]
    checkpoints: int  # signed checkpoints read from the store
    anchored_position: int  # the newest position a checkpoint confirms (0: none)
    anchored_at: str | None
    unanchored_rows: int  # newer rows, within OPENIOM_AUDIT_CHECKPOINT_EVERY, not yet anchored
    store: Path

    @property
    def intact(self) -> bool:
        return not self.problems


def _ids(ids: list[int], limit: int = 20) -> str:
    shown = ", ".join(str(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _read_checkpoints(directory: Path, problems: list[ChainProblem]) -> list[Checkpoint] | None:
    """The store's valid checkpoints, or None (with the reason in `problems`) if it cannot be read."""
    try:
        keys = anchor.verify_keys()
    except ImproperlyConfigured as exc:
        problems.append(ChainProblem(None, f"{exc}: truncation and rewriting cannot be checked", "store"))
        return None
    try:
        reading = anchor.read_store(directory, keys)
    except FileNotFoundError:
        problems.append(
            ChainProblem(
                None,
                f"the checkpoint store {directory} (OPENIOM_AUDIT_CHECKPOINT_DIR) does not exist: "
                "truncation and rewriting cannot be checked",
                "store",
            )
        )
        return None
    except OSError as exc:
        problems.append(
            ChainProblem(None, f"the checkpoint store {directory} cannot be read: {exc}", "store")
        )
        return None
    problems.extend(
        ChainProblem(None, f"checkpoint store {directory}: {line}", "checkpoint_tampered")
        for line in reading.problems
    )
    return reading.checkpoints


def _forks(checkpoints: list[Checkpoint]) -> list[ChainProblem]:
    seen: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for checkpoint in checkpoints:
        seen[checkpoint.position].add((checkpoint.event_id, checkpoint.head))
    forked = sorted(position for position, versions in seen.items() if len(versions) > 1)
    if not forked:
        return []
    return [
        ChainProblem(
            None,
            f"signed checkpoints disagree about the trail at {len(forked)} position(s), from position "
            f"{forked[0]}: the trail was rewritten, or an older copy of the database restored and written to",
            "fork",
        )
    ]


def audit_verify() -> AuditVerification:
    """Walk the whole trail, check each row's hash and link, and compare it with the signed checkpoints
    outside the database: report rows edited, inserted, deleted or rewritten, a truncated tail, an
    older copy of the database, a tampered checkpoint store and rows left unanchored."""
    problems: list[ChainProblem] = []
    directory = anchor.store_dir()
    # The store is read before the rows: every row a checkpoint names was committed before it was
    # signed, so the walk below sees it.
    checkpoints = _read_checkpoints(directory, problems)
    by_event: dict[int, list[Checkpoint]] = defaultdict(list)
    for checkpoint in checkpoints or []:
        by_event[checkpoint.event_id].append(checkpoint)
    newest = max((c.position for c in checkpoints or []), default=0)

    rewritten: list[int] = []
    moved: list[tuple[int, int, int]] = []
    anchored: Checkpoint | None = None
    previous_hash, previous_id, count = GENESIS_HASH, None, 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
        count += 1
        if event.previous_hash != previous_hash:
            after = f"row {previous_id}" if previous_id is not None else "the start"
            problems.append(
                ChainProblem(
                    event.pk,
                    f"does not follow {after}: a row was deleted or inserted between them",
                    "broken_link",
                )
            )
        if event_digest(event.previous_hash, audit_payload(event)) != event.hash:
            problems.append(
                ChainProblem(event.pk, "its content does not match its hash: the row was edited", "edited")
            )
        elif event.payload_version < 2 and event.subject_person != recorded_subject(
            event.object_type, event.object_id, event.detail
        ):
            # A row older than the subject column: its back-filled subject is outside its hash,
            # but must still be what its hashed content says.
            problems.append(
                ChainProblem(
                    event.pk,
                    "its subject is not the person its content names: the row was moved to another "
                    "person's access log, or out of one",
                    "edited",
                )
            )
        signed = by_event.pop(event.pk, [])
        confirmed = [c for c in signed if c.position == count and c.head == event.hash]
        if confirmed:
            if anchored is None or count > anchored.position:
                anchored = confirmed[0]
        elif any(c.position != count for c in signed):
            moved.append((event.pk, next(c.position for c in signed if c.position != count), count))
        elif signed:
            rewritten.append(event.pk)
        previous_hash, previous_id = event.hash, event.pk

    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous_hash:
        problems.append(
            ChainProblem(
                None,
                f"end of the trail: the last row is {previous_id} but the trail ended at row "
                f"{head.last_event_id}: rows were deleted from the end",
                "head",
            )
        )
    if checkpoints is not None:
        problems.extend(_forks(checkpoints))
        problems.extend(_compare(rewritten, moved, by_event, previous_id, count))
    unanchored = max(0, count - newest) if checkpoints is not None else 0
    if unanchored >= settings.OPENIOM_AUDIT_CHECKPOINT_EVERY:
        # Rows committed while the walk ran may have been signed since: look again before judging.
        later = _read_checkpoints(directory, [])
        newest = max([newest, *(c.position for c in later or [] if c.position <= count)])
        unanchored = count - newest
    if unanchored >= settings.OPENIOM_AUDIT_CHECKPOINT_EVERY:
        problems.append(
            ChainProblem(
                None,
                f"the newest {unanchored} row(s) (from position {newest + 1}) are not covered by any "
                "signed checkpoint: they were added behind the application's back, their checkpoints "
                "were not written (see the application log), or the trail predates checkpoints "
                "(run `iom audit checkpoint`)",
                "unanchored",
            )
        )
        unanchored = 0
    return AuditVerification(
        rows=count,
        problems=problems,
        checkpoints=len(checkpoints or []),
        anchored_position=anchored.position if anchored else 0,
        anchored_at=anchored.at if anchored else None,
        unanchored_rows=unanchored,
        store=directory,
    )


def _compare(
    rewritten: list[int],
    moved: list[tuple[int, int, int]],
    unmatched: dict[int, list[Checkpoint]],
    last_id: int | None,
    count: int,
) -> list[ChainProblem]:
    """What the rows that disagree with their checkpoints say about the trail."""
    problems: list[ChainProblem] = []
    if rewritten:
        problems.append(
            ChainProblem(
                rewritten[0],
                f"differs from its signed checkpoint, as do {len(rewritten) - 1} later row(s): the trail "
                f"was rewritten from here (rows {_ids(rewritten)})",
                "rewritten",
            )
        )
    if moved:
        event_id, signed, now = moved[0]
        how = "deleted" if now < signed else "inserted"
        problems.append(
            ChainProblem(
                event_id,
                f"is at position {now} but was signed at position {signed}: {abs(signed - now)} row(s) "
                f"before it were {how} (and {len(moved) - 1} later row(s) moved likewise)",
                "moved",
            )
        )
    missing = sorted(event_id for event_id in unmatched if last_id is not None and event_id < last_id)
    if missing:
        problems.append(
            ChainProblem(
                None, f"rows {_ids(missing)} were signed but are no longer in the trail: deleted", "missing"
            )
        )
    tail = [c for event_id, cs in unmatched.items() if last_id is None or event_id > last_id for c in cs]
    if tail:
        newest = max(tail, key=lambda c: c.position)
        where = "the trail is empty" if last_id is None else f"the trail ends at row {last_id} ({count} rows)"
        problems.append(
            ChainProblem(
                None,
                f"{where}, but a checkpoint signed at {newest.at} records {newest.position} rows ending at "
                f"row {newest.event_id}: rows were deleted from the end, or an older copy of the database "
                "was restored",
                "truncated",
            )
        )
    return problems


ACCESS_LOG_SHOWN = 500


def person_access_log_recent(*, person_id: int) -> list[AuditEvent]:
    """The newest of the person's access log, as many as the page shows (the CSV has them all)."""
    return list(person_access_log(person_id=person_id)[:ACCESS_LOG_SHOWN])


def person_access_log_oldest_first(*, person_id: int) -> Iterator[AuditEvent]:
    return person_access_log(person_id=person_id).reverse().iterator()


def person_access_log_all(*, person_id: int) -> Iterator[AuditEvent]:
    """The whole access log, streamed rather than held in memory: a long-managed person's is large."""
    return person_access_log(person_id=person_id).iterator()


# Subject access ----------------------------------------------------------------------------------

SUBJECT_ACCESS_DEPTH = 3


def _project_models() -> list[type[Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("openiom.") and m is not AuditEvent]


def person_data_paths() -> list[tuple[type[Model], str]]:
    """Every table holding something about a person, with the lookup from it to the person's id: the
    person's own row, rows pointing at it, and rows pointing at those (a case's needs, a plan's
    actions), found from the models themselves so a new table is never left out of an export."""
    from openiom.people.models import Person

    reached: dict[type[Model], str] = {Person: "pk"}
    frontier: dict[type[Model], str] = {Person: ""}
    for _ in range(SUBJECT_ACCESS_DEPTH):
        found: dict[type[Model], str] = {}
        for model in _project_models():
            if model in reached:
                continue
            for field in model._meta.concrete_fields:
                target = field.related_model if field.is_relation else None
                if target in frontier and (field.many_to_one or field.one_to_one):
                    parent = frontier[target]
                    found[model] = f"{field.name}__{parent}" if parent else field.name
                    break
        reached.update(found)
        frontier = found
    return sorted(reached.items(), key=lambda item: item[0]._meta.label)


def person_data(*, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everything held about the person, table by table (model label -> rows as field values)."""
    held: dict[str, list[dict[str, Any]]] = {}
    for model, path in person_data_paths():
        rows = model._default_manager.filter(**{path: person_id}).order_by("pk")
        held[model._meta.label] = [{"pk": row.pk, **model_to_dict_all(row)} for row in rows]
    return held


def model_to_dict_all(row: Model) -> dict[str, Any]:
    """Every stored column of the row (foreign keys as ids), unlike forms.model_to_dict which skips
    fields that are not editable."""
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
