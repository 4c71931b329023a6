"""A small hand-built area for evaluations from cases: a scheme whose 65 cases were adopted in 2021,
never-adopted people cautioned in the same year, and an analyst who sees them. Shared by the page
tests and the browser journey. Everyone is synthetic."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from openiom.access.models import Agency, AgencyKind, Scheme, SchemeMembership
from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.cases.models import Case, CaseStatus
from openiom.offending.models import OffendingEvent
from openiom.people.models import Person

START, END = date(2021, 1, 1), date(2021, 12, 31)
ADOPTED = 65
PASSWORD = "a long test password"


def person(n: int, system: str = "T") -> Person:
    return Person.objects.create(
        source_system=system,
        source_id=f"P{n}",
        family_name="Synthetic",
        given_names="Test",
        date_of_birth=date(1985 + n % 15, 1 + n % 12, 1),
        sex="M" if n % 4 else "F",
    )


def caution(who: Person, n: int, on: date) -> None:
    OffendingEvent.objects.create(
        source_system=who.source_system,
        source_id=f"{who.source_id}-E{n}",
        person=who,
        event_type="caution",
        offence_date=on - timedelta(days=20),
        outcome_date=on,
        offence_code="028/01",
        disposal="caution",
    )


def history(who: Person, n: int) -> date:
    """A caution in 2021 (returned), an earlier one for some, a reoffence for every third person."""
    day = START + timedelta(days=(5 * n) % 360)
    if n % 5 == 0:
        caution(who, 0, day - timedelta(days=400))
    caution(who, 1, day)
    if n % 3 == 0:
        caution(who, 2, day + timedelta(days=120))
    return day


def add_pool(first: int, count: int) -> None:
    for n in range(first, first + count):
        history(person(n), n)


def build(*, pool: int, username: str = "analyst.cases") -> dict[str, Any]:
    """`pool` never-adopted people cautioned in 2021; every third person of either group reoffends."""
    agency = Agency.objects.create(
        code="TP", name="Test Police", kind=AgencyKind.POLICE, source_systems=["T"]
    )
    scheme = Scheme.objects.create(code="S1", name="Example IOM", region="North")
    other = Scheme.objects.create(code="S2", name="Other IOM", region="South")
    analyst = user_create(username=username, password=PASSWORD, role=Role.ANALYST)
    analyst.agency = agency
    analyst.save(update_fields=["agency"])
    SchemeMembership.objects.create(user=analyst, scheme=scheme)
    for n in range(ADOPTED):
        day = history(person(n), n)
        Case.objects.create(
            scheme=scheme,
            person=Person.objects.get(source_id=f"P{n}"),
            status=CaseStatus.EXITED,
            stream="fixed",
            start_date=day,
        )
    add_pool(ADOPTED, pool)
    caution(person(9999), 1, date(2024, 6, 1))  # the records reach mid-2024
    return {"scheme": scheme, "other": other, "analyst": analyst}


def form_data(scheme: Scheme, **fields: Any) -> dict[str, Any]:
    return {
        "cases-source": "cases",
        "cases-scheme": scheme.pk,
        "cases-streams": ["fixed", "flex", "free"],
        "cases-adopted_from": START.isoformat(),
        "cases-adopted_to": END.isoformat(),
        "cases-outcomes": ["proven_reoffending"],
        **{f"cases-{k}": v for k, v in fields.items()},
    }
