from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from openiom.identity.models import LinkageRun, MatchCandidate, PersonLink, ReviewStatus
from openiom.people.models import Person

if TYPE_CHECKING:
    # Imported where used: the people pages import this module, and a worker must start fast.
    import pandas as pd

RECORD_FIELDS = (
    "id",
    "source_system",
    "pnc_id",
    "probation_crn",
    "local_police_id",
    "family_name",
    "given_names",
    "aliases",
    "date_of_birth",
    "sex",
)


def canonical_id(person_id: int) -> int:
    """The record that stands for the person this source record belongs to."""
    link = PersonLink.objects.filter(record_id=person_id).values_list("person_id", flat=True).first()
    return link if link is not None else person_id


def canonical_ids(person_ids: Iterable[int]) -> dict[int, int]:
    ids = list(person_ids)
    mapping = {i: i for i in ids}
    mapping.update(dict(PersonLink.objects.filter(record_id__in=ids).values_list("record_id", "person_id")))
    return mapping


def member_ids(person_id: int) -> list[int]:
    """Every source record making up the person (the canonical record first)."""
    canonical = canonical_id(person_id)
    linked = PersonLink.objects.filter(person_id=canonical).order_by("record_id")
    return [canonical, *linked.values_list("record_id", flat=True)]


def source_records(person: Person) -> list[Person]:
    """The source records that make up the person, for their page."""
    ids = member_ids(person.pk)
    records = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
    return [records[i] for i in ids if i in records]


def link_for(record: Person) -> PersonLink | None:
    return PersonLink.objects.filter(record=record).select_related("person").first()


def records_frame() -> pd.DataFrame:
    """Every source record as linkage reads it."""
    import pandas as pd

    rows = list(Person.objects.order_by("id").values_list(*RECORD_FIELDS))
    frame = pd.DataFrame(rows, columns=list(RECORD_FIELDS)).rename(columns={"id": "record_id"})
    return frame


def source_systems() -> list[str]:
    return list(Person.objects.order_by().values_list("source_system", flat=True).distinct())


def current_links() -> dict[int, int]:
    return dict(PersonLink.objects.values_list("record_id", "person_id"))


def latest_run() -> LinkageRun | None:
    return LinkageRun.objects.order_by("-id").first()


@dataclass(frozen=True)
class QueueEntry:
    candidate: MatchCandidate
    left: Person
    right: Person


def review_queue(*, status: str = ReviewStatus.PENDING, limit: int = 200) -> QuerySet[MatchCandidate]:
    """Pairs waiting for a decision, the most probable first."""
    return (
        MatchCandidate.objects.filter(status=status)
        .select_related("left", "right", "decided_by")
        .order_by("-match_probability", "id")[:limit]
    )


def review_counts() -> dict[str, int]:
    counts = {s.value: 0 for s in ReviewStatus}
    for status in counts:
        counts[status] = MatchCandidate.objects.filter(status=status).count()
    return counts


def candidate_get(*, candidate_id: int) -> MatchCandidate | None:
    return (
        MatchCandidate.objects.select_related("left", "right", "decided_by").filter(pk=candidate_id).first()
    )


def decided_pairs() -> set[tuple[int, int]]:
    """Pairs an administrator has already decided: a later run does not ask again."""
    return set(MatchCandidate.objects.exclude(status=ReviewStatus.PENDING).values_list("left_id", "right_id"))


def pending_pairs() -> set[tuple[int, int]]:
    return set(MatchCandidate.objects.filter(status=ReviewStatus.PENDING).values_list("left_id", "right_id"))


def decided_pairs_with(status: str) -> set[tuple[int, int]]:
    return set(MatchCandidate.objects.filter(status=status).values_list("left_id", "right_id"))
