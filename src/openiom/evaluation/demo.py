"""Adopted cases old enough to evaluate, for the demo.

The demo scheme's planted cases (openiom.cases.demo) were adopted over the last two years, so few have
had the 18 months an evaluation follows each person for. These are an earlier intake: people sentenced
or cautioned in a past period, adopted on that day and de-selected a year later, so the Evaluation
page's "Evaluate the scheme's adopted cases" runs on the demo as it is. Nothing is planted in their
offending: the evaluation should find no clear effect.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Min, Q

from openiom.access.models import AgencyKind, Scheme
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.cases import services
from openiom.cases.models import Case, PanelDecision
from openiom.offending.models import OffendingEvent
from openiom.people.models import Person
from openiom.synth.iom_effect import STREAMS
from openiom.vocabulary import CAUTION, CONVICTION, CUSTODY

DEMO_EVALUATION_CASES = 90
RATIONALE = "Demo: an earlier intake, adopted on the day of a community sentence or caution."


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def intake_period(records_end: date) -> tuple[date, date]:
    """Eight and a half years that ended two years before the records do: every case has had its
    follow-up, and the synthetic area of 3,000 people has enough adults sentenced or cautioned in it
    for more than 60 adoptions with as many people left to compare them with."""
    return date(records_end.year - 10, 1, 1), date(records_end.year - 2, 6, 30)


@transaction.atomic
def demo_evaluation_cases_build(
    *, scheme: Scheme, records_end: date, source_system: str, limit: int = DEMO_EVALUATION_CASES
) -> int:
    """Adopt up to `limit` people of the area on the day of their first community sentence or caution
    in the intake period, and de-select them a year later. Idempotent; returns the cases adopted."""
    start, end = intake_period(records_end)
    if PanelDecision.objects.filter(case__scheme=scheme, rationale=RATIONALE).exists():
        return 0
    users = {u.role: u for u in User.objects.filter(username__startswith="demo.")}
    coordinator = users[Role.COORDINATOR]
    police = scheme.agencies.get(kind=AgencyKind.POLICE)
    first = (
        OffendingEvent.objects.filter(
            person__source_system=source_system,
            outcome_date__range=(start, end),
        )
        .filter(
            Q(event_type=CAUTION) | Q(event_type=CONVICTION, disposal__isnull=False) & ~Q(disposal=CUSTODY)
        )
        .exclude(person__in=Case.objects.values("person_id"))
        .values("person_id")
        .annotate(adopted=Min("outcome_date"))
        .order_by("person_id")
    )
    rows = list(first)
    people = Person.objects.in_bulk([row["person_id"] for row in rows])
    # Adults only, as IOM is; every other eligible one: an intake spread over the area rather than
    # its first ids, and as many left to compare with.
    adults = [row for row in rows if _age(people[row["person_id"]].date_of_birth, row["adopted"]) >= 18]
    chosen = adults[::2][:limit]
    for n, row in enumerate(chosen):
        adopted: date = row["adopted"]
        case = services.panel_decide(
            user=coordinator,
            scheme=scheme,
            person=people[row["person_id"]],
            decision="adopt",
            rationale=RATIONALE,
            stream=STREAMS[n % len(STREAMS)],
            lead_agency=police,
            police_worker=users[Role.POLICE_OFFICER],
            probation_worker=users[Role.PROBATION_PRACTITIONER],
            start_date=adopted,
        )
        services.case_exit(
            user=coordinator,
            case=case,
            version=case.version,
            reason="Demo: a year of management completed; offending has reduced.",
            on=adopted + timedelta(days=365),
        )
    return len(chosen)
