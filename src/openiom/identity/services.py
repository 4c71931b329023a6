"""Writes for identity resolution: linkage runs, merges, review decisions and unmerges, each audited."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiom.accounts.models import User
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.identity import linkage, selectors
from openiom.identity.models import LinkageRun, LinkBasis, MatchCandidate, PersonLink, ReviewStatus
from openiom.people.models import Person

Progress = Callable[[str], None]
# Below this many records the model's parameters cannot be estimated; a stored model is used instead,
# or only identifiers link.
MIN_TRAINING_RECORDS = 500


def _noop(_: str) -> None:
    return None


def linkage_config(overrides: dict[str, Any] | None = None) -> linkage.LinkageConfig:
    """Thresholds from settings.OPENIOM_LINKAGE, then any overrides (a command's options)."""
    values = dict(getattr(settings, "OPENIOM_LINKAGE", {}) or {})
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return linkage.LinkageConfig.from_mapping(values)


@dataclass
class RunSummary:
    run: LinkageRun | None
    records: int
    automatic_links: int = 0
    review_pairs: int = 0
    problems: list[linkage.Problem] = field(default_factory=list)


def _problem_json(problems: Iterable[linkage.Problem]) -> list[dict[str, Any]]:
    return [{"kind": p.kind, "records": list(p.record_ids[:100]), "message": p.message} for p in problems]


def _components(edges: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, set[int]] = {}
    for x in list(parent):
        groups.setdefault(find(x), set()).add(x)
    return groups


def _apply_links(
    new_edges: list[tuple[int, int, str, float | None]], run: LinkageRun | None
) -> tuple[int, list[tuple[int, int]]]:
    """Join records into persons. Returns links made and edges refused by an earlier 'different' decision.

    A person is a connected component of the existing links and the new edges; the smallest record id
    in it stands for the person, so an existing person keeps its id when a newer record joins it.
    """
    existing = selectors.current_links()
    different = selectors.decided_pairs_with(ReviewStatus.DIFFERENT)
    groups = _components([*existing.items(), *((a, b) for a, b, _, _ in new_edges)])
    canonical_of = {m: root for root, members in groups.items() for m in members}
    refused: list[tuple[int, int]] = []
    blocked_roots = {
        canonical_of[a] for a, b in different if a in canonical_of and canonical_of.get(b) == canonical_of[a]
    }
    if blocked_roots:
        # An administrator said two of these records are different people: only the links already
        # made stand, and the new edges go to review.
        refused = [(a, b) for a, b, _, _ in new_edges if canonical_of[a] in blocked_roots]
        kept = [e for e in new_edges if canonical_of[e[0]] not in blocked_roots]
        groups = _components([*existing.items(), *((a, b) for a, b, _, _ in kept)])
        canonical_of = {m: root for root, members in groups.items() for m in members}
        new_edges = kept
    basis = {}
    for a, b, how, p in new_edges:
        basis[a] = basis[b] = (how, p)
    wanted = {m: root for m, root in canonical_of.items() if m != root}
    changed = {m: root for m, root in wanted.items() if existing.get(m) != root}
    if changed:
        PersonLink.objects.filter(record_id__in=list(changed)).delete()
        PersonLink.objects.bulk_create(
            [
                PersonLink(
                    record_id=m,
                    person_id=root,
                    basis=basis.get(m, (LinkBasis.MODEL, None))[0],
                    match_probability=basis.get(m, (None, None))[1],
                    run=run,
                )
                for m, root in changed.items()
            ],
            batch_size=5000,
        )
        # A record that stood for a person and now belongs to another carries no link of its own.
        PersonLink.objects.filter(record_id__in=set(changed.values())).delete()
    return len([m for m in changed if m not in existing]), refused


def run_linkage(
    *,
    user: User | None,
    trigger: str = "run",
    backend: linkage.Backend = "duckdb",
    config: linkage.LinkageConfig | None = None,
    touching: set[int] | None = None,
    progress: Progress = _noop,
    spark: Any | None = None,
) -> RunSummary:
    """Link the area's source records; with `touching`, only pairs involving those records are acted on."""
    config = config or linkage_config()
    frame = selectors.records_frame()
    if len(frame) < 2:
        return RunSummary(None, len(frame))
    previous = selectors.latest_run()
    trained = None
    if len(frame) < MIN_TRAINING_RECORDS and previous is not None and previous.model:
        trained = previous.model
    if len(frame) < MIN_TRAINING_RECORDS and trained is None:
        result = _identifiers_only(frame, config)
    else:
        result = linkage.link(
            frame, config=config, backend=backend, spark=spark, progress=progress, trained=trained
        )
    pairs = result.pairs
    if touching is not None:
        pairs = pairs[pairs["left_id"].isin(touching) | pairs["right_id"].isin(touching)]
    problems = [p for p in result.problems if touching is None or set(p.record_ids) & touching]
    progress("writing links")
    with transaction.atomic():
        run = LinkageRun.objects.create(
            trigger=trigger,
            backend=backend,
            model_version=result.model_version,
            model=result.model_json,
            config=config.__dict__,
            records=len(frame),
            problems=_problem_json(problems),
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        decided = selectors.decided_pairs()
        auto = pairs[pairs["decision"] == "link"]
        edges: list[tuple[int, int, str, float | None]] = [
            (int(r.left_id), int(r.right_id), str(r.basis), float(r.match_probability))
            for r in auto.itertuples()
            if (int(r.left_id), int(r.right_id)) not in decided
        ]
        made, refused = _apply_links(edges, run)
        links = selectors.current_links()
        review = pairs[pairs["decision"] == "review"]
        refused_rows = (
            auto.set_index(["left_id", "right_id"]).loc[refused].reset_index() if refused else auto.iloc[:0]
        )
        queued = _queue(pd.concat([review, refused_rows]), result, run, decided, links, problems)
        run.automatic_links = made
        run.review_pairs = queued
        run.save(update_fields=["automatic_links", "review_pairs"])
        audit_record(
            user=user,
            action=AuditAction.LINK_RUN,
            object_type="identity_linkage_run",
            object_id=run.pk,
            detail={
                "trigger": trigger,
                "records": len(frame),
                "model_version": result.model_version,
                "automatic_links": made,
                "review_pairs": queued,
                "problems": len(problems),
            },
        )
    return RunSummary(run, len(frame), made, queued, problems)


def _identifiers_only(frame: pd.DataFrame, config: linkage.LinkageConfig) -> linkage.LinkageResult:
    """Too few records to train on and no stored model: identifiers alone link; contradictions wait."""
    prepared = linkage.prepare(frame)
    exact, problems = linkage.deterministic_pairs(prepared)
    problems += linkage.unidentified_problems(prepared)
    pairs = exact.assign(
        basis="identifier",
        match_probability=exact["corroborated"].map({True: 1.0, False: 0.5}) if len(exact) else 1.0,
        match_weight=None,
        decision=exact["corroborated"].map({True: "link", False: "review"}) if len(exact) else "link",
    ).drop(columns=["corroborated", "value"], errors="ignore")
    return linkage.LinkageResult(pairs, problems, {}, "identifiers", config)


def _queue(
    review: pd.DataFrame,
    result: linkage.LinkageResult,
    run: LinkageRun,
    decided: set[tuple[int, int]],
    links: dict[int, int],
    problems: list[linkage.Problem],
) -> int:
    why = {tuple(sorted(p.record_ids)): p.message for p in problems if len(p.record_ids) == 2}
    pending = selectors.pending_pairs()
    new = []
    for _, row in review.iterrows():
        pair = (int(row["left_id"]), int(row["right_id"]))
        if pair in decided or pair in pending:
            continue
        if links.get(pair[0], pair[0]) == links.get(pair[1], pair[1]):
            continue  # already one person
        weight = row.get("match_weight")
        new.append(
            MatchCandidate(
                left_id=pair[0],
                right_id=pair[1],
                match_probability=float(row["match_probability"]),
                match_weight=None if weight is None or pd.isna(weight) else float(weight),
                evidence=linkage.evidence(result, row),
                why=why.get(pair, "")[:300],
                run=run,
            )
        )
    MatchCandidate.objects.bulk_create(new, batch_size=2000)
    return len(new)


def link_imported(
    *, record_ids: set[int], user: User | None, progress: Progress = _noop
) -> RunSummary | None:
    """After an import: link the new records to the people already known, if any come from elsewhere."""
    if not record_ids or len(selectors.source_systems()) < 2:
        return None
    return run_linkage(user=user, trigger="import", touching=record_ids, progress=progress)


def _require_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise ValidationError({"reason": "Give the reason for the decision."})
    return text


@transaction.atomic
def decide(*, candidate: MatchCandidate, same: bool, reason: str, user: User) -> MatchCandidate:
    """An administrator's decision on a queued pair: merge the two people, or keep them apart."""
    text = _require_reason(reason)
    locked = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status != ReviewStatus.PENDING:
        raise ValidationError({"decision": "This pair has already been decided."})
    locked.status = ReviewStatus.SAME if same else ReviewStatus.DIFFERENT
    locked.reason = text
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    before = selectors.canonical_ids([locked.left_id, locked.right_id])
    if same:
        _apply_links([(locked.left_id, locked.right_id, LinkBasis.CLERICAL, locked.match_probability)], None)
    audit_record(
        user=user,
        action=AuditAction.LINK_MERGE if same else AuditAction.LINK_SEPARATE,
        object_type="identity_match_candidate",
        object_id=locked.pk,
        detail={
            "records": [locked.left_id, locked.right_id],
            "people_before": sorted(set(before.values())),
            "person_after": selectors.canonical_id(locked.left_id) if same else None,
            "match_probability": locked.match_probability,
            "reason": text,
        },
    )
    return locked


@transaction.atomic
def unmerge(*, record: Person, reason: str, user: User) -> int:
    """Take one source record out of its person; it stands alone again. Returns the remaining person's id.

    Nothing is deleted but the link: the record and its events are as imported. The split is recorded
    as a 'different people' decision, so the next linkage run does not join them again.
    """
    text = _require_reason(reason)
    members = selectors.member_ids(record.pk)
    if len(members) < 2:
        raise ValidationError({"record": f"Record {record.pk} is not linked to any other record."})
    canonical = members[0]
    remaining = [m for m in members if m != record.pk]
    new_canonical = min(remaining)
    PersonLink.objects.filter(record_id__in=members).delete()
    PersonLink.objects.bulk_create(
        [
            PersonLink(record_id=m, person_id=new_canonical, basis=LinkBasis.CLERICAL)
            for m in remaining
            if m != new_canonical
        ]
    )
    now = timezone.now()
    for other in remaining:
        left, right = sorted((record.pk, other))
        MatchCandidate.objects.update_or_create(
            left_id=left,
            right_id=right,
            defaults={
                "status": ReviewStatus.DIFFERENT,
                "reason": text,
                "decided_by": user,
                "decided_at": now,
                "match_probability": 0.0,
                "why": "Unmerged",
            },
        )
    audit_record(
        user=user,
        action=AuditAction.LINK_UNMERGE,
        object_type="person",
        object_id=record.pk,
        detail={
            "person_before": canonical,
            "person_after": new_canonical,
            "records": members,
            "reason": text,
        },
    )
    return new_canonical


def link_import(
    *, source_systems: set[str], since: Any, user: User | None, progress: Progress = _noop
) -> RunSummary | None:
    """Link the records an import has just written (or changed) to everyone already known."""
    ids = set(
        Person.objects.filter(source_system__in=source_systems, updated_at__gte=since).values_list(
            "id", flat=True
        )
    )
    return link_imported(record_ids=ids, user=user, progress=progress)
