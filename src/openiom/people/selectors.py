from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from openiom.offending.models import OffendingEvent
from openiom.people.identifiers import normalise_pnc
from openiom.people.models import Person

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class SearchResult:
    people: Sequence[Person]
    total: int
    truncated: bool


def person_search(*, query: str, within: QuerySet[Person], limit: int = SEARCH_LIMIT) -> SearchResult:
    """Find people, among those the caller may see, by PNC ID, CRN, local police ID or name."""
    if not query.strip():
        return SearchResult(people=[], total=0, truncated=False)
    qs = person_matches(query=query, within=within)
    qs = qs.annotate(event_count=Count("events")).order_by(
        "family_name", "given_names", "date_of_birth", "id"
    )
    people = list(qs[: limit + 1])
    return SearchResult(people=people[:limit], total=len(people[:limit]), truncated=len(people) > limit)


def person_matches(*, query: str, within: QuerySet[Person]) -> QuerySet[Person]:
    """The people among `within` that the query names, unordered (the page and the API order them)."""
    text = query.strip()
    if not text:
        return within.none()
    qs = within
    pnc = normalise_pnc(text)
    if pnc is not None:
        qs = qs.filter(pnc_id=pnc)
    elif re.fullmatch(r"[A-Za-z]\d{6}", text):
        qs = qs.filter(Q(probation_crn=text.upper()) | Q(local_police_id=text))
    else:
        for word in [w for w in re.split(r"[\s,]+", text) if w]:
            qs = qs.filter(
                Q(family_name__istartswith=word)
                | Q(given_names__icontains=word)
                | Q(aliases__icontains=word)
                | Q(local_police_id=word)
            )
    return qs


def person_get(*, person_id: int) -> Person | None:
    return Person.objects.filter(pk=person_id).first()


def age_on(date_of_birth: date, on: date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def person_events(*, person: Person) -> QuerySet[OffendingEvent]:
    from openiom.identity.selectors import member_ids

    return OffendingEvent.objects.filter(person_id__in=member_ids(person.pk)).order_by(
        "-outcome_date", "-offence_date", "-id"
    )
