from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from openiom.identity.selectors import member_ids
from openiom.offending.models import Disposal, EventType, OffendingEvent
from openiom.people.models import Person
from openiom.reference.selectors import active_offences_and_categories
from openiom.vocabulary import PROVEN


@dataclass(frozen=True)
class TimelineEntry:
    event: OffendingEvent
    offence_description: str
    category_label: str
    neighbourhood_crime: bool


@dataclass(frozen=True)
class OffendingSummary:
    proven_offences: int
    convictions: int
    cautions: int
    arrests: int
    proven_last_12_months: int
    custodial_sentences: int
    first_proven: date | None
    latest_proven: date | None


def timeline_for(*, person: Person) -> list[TimelineEntry]:
    """The person's offending events across all their linked source records, newest first, with offence
    names from the active reference data."""
    events = list(
        OffendingEvent.objects.filter(person_id__in=member_ids(person.pk)).order_by(
            "-outcome_date", "-offence_date", "-id"
        )
    )
    if not events:
        return []
    offences, categories = active_offences_and_categories({e.offence_code for e in events})
    entries = []
    for event in events:
        offence = offences.get(event.offence_code)
        category = categories.get(offence.category) if offence else None
        entries.append(
            TimelineEntry(
                event=event,
                offence_description=offence.description if offence else event.offence_code,
                category_label=category.label if category else (offence.category if offence else ""),
                neighbourhood_crime=bool(category and category.neighbourhood_crime),
            )
        )
    return entries


def offending_summary(*, person: Person, as_of: date) -> OffendingSummary:
    events = list(
        OffendingEvent.objects.filter(
            person_id__in=member_ids(person.pk), outcome_date__lte=as_of
        ).values_list("event_type", "outcome_date", "disposal")
    )
    proven = sorted(d for t, d, _ in events if t in PROVEN)
    year_ago = as_of - timedelta(days=365)
    return OffendingSummary(
        proven_offences=len(proven),
        convictions=sum(1 for t, _, _ in events if t == EventType.CONVICTION),
        cautions=sum(1 for t, _, _ in events if t == EventType.CAUTION),
        arrests=sum(1 for t, _, _ in events if t == EventType.ARREST),
        proven_last_12_months=sum(1 for d in proven if d > year_ago),
        custodial_sentences=sum(1 for _, _, disp in events if disp == Disposal.CUSTODY),
        first_proven=proven[0] if proven else None,
        latest_proven=proven[-1] if proven else None,
    )
