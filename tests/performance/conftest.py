"""A scheme with managed people adopted over the last two years, a comparison group from a saved
cohort run, and offending events on dates whose windows are worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.cases import services
from openiom.cases.models import Case
from openiom.cohorts.models import Candidate, CohortRun
from openiom.offending.models import OffendingEvent
from openiom.people.models import Person
from tests.access.world import World, build_world


@dataclass
class Scheme:
    world: World
    managed: list[Case]
    comparison: list[Person]
    adopted_on: date


def _person(n: int) -> Person:
    return Person.objects.create(
        source_system="EXAMPLE",
        source_id=f"PERF{n:03d}",
        family_name=f"PERFNAME{n:03d}",
        given_names="Test",
        date_of_birth=date(1990, 1, 1),
        sex="M",
    )


def _conviction(person: Person, on: date, n: int) -> None:
    OffendingEvent.objects.create(
        source_system="EXAMPLE",
        source_id=f"EV{person.pk}-{n}",
        person=person,
        event_type="conviction",
        offence_date=on,
        outcome_date=on + timedelta(days=20),
        offence_code="028/01",  # burglary in a dwelling: priced in the reference data
        disposal="community_order",
    )


@pytest.fixture
def scheme(db: object) -> Scheme:
    return build_scheme()


def build_scheme() -> Scheme:
    cache.clear()
    world = build_world()
    today = timezone.localdate()
    adopted_on = today - timedelta(days=500)  # both 12-month windows complete
    run = CohortRun.objects.create(
        run_id="perf-run",
        definition_id="neighbourhood-crime",
        definition_version="1",
        definition_title="Neighbourhood crime",
        definition_source="",
        definition_sha256="0" * 64,
        as_of=adopted_on,
        engine="duckdb",
        snapshot_id="x",
    )
    coordinator = world.users[Role.COORDINATOR]
    managed = []
    for n in range(4):
        person = _person(n)
        for k in range(4):  # four offences in the year before adoption, one after
            _conviction(person, adopted_on - timedelta(days=30 + 60 * k), k)
        _conviction(person, adopted_on + timedelta(days=40 + n), 9)
        candidate = Candidate.objects.create(run=run, person=person, summary="test")
        managed.append(
            services.panel_decide(
                user=coordinator,
                scheme=world.scheme,
                person=person,
                decision="adopt",
                rationale="Persistent burglary over the last year",
                stream="fixed",
                lead_agency=world.police,
                start_date=adopted_on,
                candidate=candidate,
            )
        )
    comparison = []
    for n in range(10, 14):
        person = _person(n)
        for k in range(4):  # four before, three after: their offending falls by one without IOM
            _conviction(person, adopted_on - timedelta(days=30 + 60 * k), k)
        for k in range(3):
            _conviction(person, adopted_on + timedelta(days=40 + 60 * k + n), 10 + k)
        Candidate.objects.create(run=run, person=person, summary="test")
        comparison.append(person)
    services.panel_decide(
        user=coordinator,
        scheme=world.scheme,
        person=comparison[0],
        decision="decline",
        rationale="Not now: the court case comes first",
    )
    return Scheme(world, managed, comparison, adopted_on)
