"""The panel page shows what a panel needs: offending, the definitions that selected each person and
why, risk flags, a link to their records, and why a deferred person was deferred."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from openiom.accounts.roles import Role
from openiom.cases import services
from openiom.cohorts.models import Candidate, CohortRun
from openiom.offending.models import OffendingEvent
from openiom.people.models import Person
from tests.access.world import World

pytestmark = pytest.mark.django_db


def _run(definition_id: str, title: str) -> CohortRun:
    return CohortRun.objects.create(
        run_id=f"run-{definition_id}",
        definition_id=definition_id,
        definition_version="1",
        definition_title=title,
        definition_source="Test source",
        definition_sha256="0" * 64,
        as_of=date(2026, 1, 1),
        engine="duckdb",
        snapshot_id="test",
    )


def _select(run: CohortRun, person: Person, text: str) -> None:
    reason = {"clause": "c", "path": "rule", "kind": "count", "held": True, "text": text, "numbers": {}}
    Candidate.objects.create(run=run, person=person, summary=text, reasons=[reason])


def _coordinator(world: World) -> Client:
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    return client


def test_a_referred_candidate_shows_the_definitions_that_selected_them(world: World) -> None:
    person = Person.objects.get(source_id="P0001")
    OffendingEvent.objects.create(
        source_system="EXAMPLE",
        source_id="E-DA-1",
        person=person,
        event_type="arrest",
        offence_date=date(2025, 3, 1),
        outcome_date=date(2025, 3, 1),
        offence_code="105/01",
        victim_ref="V-0009",
        domestic_abuse=True,
    )
    services.panel_refer(
        user=world.users[Role.POLICE_OFFICER],
        scheme=world.scheme,
        person=person,
        reason="Seen with known burglars",
        mappa_level=2,
    )
    _select(_run("serial-domestic-abuse", "Serial domestic-abuse perpetrator"), person, "2 different victims")
    page = _coordinator(world).get("/cases/panel/").content.decode()
    assert "Serial domestic-abuse perpetrator" in page and "2 different victims" in page
    assert "Seen with known burglars" in page
    assert "proven offence" in page  # the offending summary
    assert "Domestic abuse" in page and "MAPPA level 2" in page
    assert f'href="/people/{person.pk}/"' in page
    detail = _coordinator(world).get(f"/cases/panel/{person.pk}/").content.decode()
    assert "No cohort definition selected this person" not in detail
    assert "Met: 2 different victims" in detail and "Domestic abuse" in detail


def test_a_deferred_row_says_why_and_keeps_one_candidacy_per_definition(world: World) -> None:
    person = Person.objects.get(source_id="P0002")
    coordinator = world.users[Role.COORDINATOR]
    services.panel_decide(
        user=coordinator,
        scheme=world.scheme,
        person=person,
        decision="defer",
        rationale="Wait for the outcome of the trial in March",
    )
    _select(_run("old", "Prolific offender"), person, "older run says 9 offences")
    newer = _run("old-2", "Prolific offender")
    newer.definition_id = "old"
    newer.save()
    _select(newer, person, "newer run says 11 offences")
    page = _coordinator(world).get("/cases/panel/").content.decode()
    assert "Deferred: Wait for the outcome of the trial in March" in page
    assert "newer run says 11 offences" in page and "older run says 9 offences" not in page
