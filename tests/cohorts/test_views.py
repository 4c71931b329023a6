"""The analyst page through Django's test client: permission, validation and the numbers shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from openiom.access.models import Agency, AgencyKind
from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from tests.cohorts.world import SYSTEM, World

pytestmark = pytest.mark.django_db
D = dt.date


def signed_in(role: Role, systems: tuple[str, ...] = (SYSTEM,), username: str = "") -> Client:
    """A user whose agency supplies the records of `systems` (the world's own by default)."""
    user = user_create(
        username=username or f"t.{role.value}",
        password="correct horse battery staple",
        role=role,
        first_name="Test",
        last_name="User",
    )
    user.agency = Agency.objects.create(
        code=user.username[:20], name=user.username, kind=AgencyKind.POLICE, source_systems=list(systems)
    )
    user.save()
    client = Client()
    client.force_login(user)
    return client


def load_world() -> None:
    w = World()
    for i in range(12):
        w.person(f"P{i:02d}")
        for k in range(i):
            w.event(f"P{i:02d}", "conviction", D(2025, 1, 5) + dt.timedelta(days=20 * k))
    w.load_database("default")


def test_partner_workers_cannot_open_the_page() -> None:
    assert signed_in(Role.PARTNER_WORKER).get("/cohorts/").status_code == 403


@pytest.fixture(autouse=True)
def _jobs_inline(settings: Any, tmp_path: Any) -> None:
    # The in-memory test database cannot be opened by the job process: the job runs in this process,
    # after the request has recorded it (tests/cohorts/test_jobs.py runs it in a real worker process).
    settings.EVALUATION_RUNNER = "inline"
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path)


def analyse(client: Client, query: dict[str, Any]) -> Any:
    """Start an analysis from the page and read its results page."""
    started = client.post("/cohorts/", query)
    assert started.status_code == 302 and "/cohorts/jobs/" in started["Location"]
    return client.get(started["Location"])


def test_bad_date_is_reported_against_the_field() -> None:
    response = signed_in(Role.ANALYST).post("/cohorts/", {"as_of": "2026-02-30"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and 'href="#id_as_of"' in text


def test_analysis_shows_chart_and_table_with_the_same_numbers() -> None:
    load_world()
    response = analyse(
        signed_in(Role.ANALYST),
        {"as_of": "2025-12-31", "definitions": ["persistent-six-convictions", "chronic-15-proven-offences"]},
    )
    text = response.content.decode()
    context: Any = response.context["summary"]
    assert [(s["label"], s["size"]) for s in context["sizes"]] == [
        ("chronic-15-proven-offences@1", 0),
        ("persistent-six-convictions@1", 6),  # P06..P11 have 6+ convictions in 2025
    ]
    assert '<svg class="openiom-chart" role="img"' in text and '<title id="sizes-title">' in text
    assert context["concentration"]["offenders"] == 11 and context["concentration"]["offences"] == 66
    assert ">66 proven offences" in text.replace("11 offenders, ", ">")


def test_an_analyst_sees_only_the_people_their_agency_and_schemes_may_see() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from openiom.access.models import Scheme, SchemeMembership, SchemePerson, SharingAgreement
    from openiom.accounts.models import User
    from openiom.people.models import Person

    load_world()
    query = {"as_of": "2025-12-31", "definitions": ["persistent-six-convictions"]}

    def sizes(client: Client) -> tuple[int, int]:
        context: Any = analyse(client, query).context["summary"]
        return context["sizes"][0]["size"], context["concentration"]["offenders"]

    # Another force's analyst: none of these records are theirs, and nothing is shared.
    elsewhere = signed_in(Role.ANALYST, systems=("OTHERFORCE",), username="t.elsewhere")
    assert sizes(elsewhere) == (0, 0)
    # A scheme shares two of the people with them under an agreement in force.
    analyst = User.objects.get(username="t.elsewhere")
    scheme = Scheme.objects.create(code="S", name="Shared IOM", region="R")
    SchemeMembership.objects.create(user=analyst, scheme=scheme)
    for source_id in ("P10", "P11"):
        SchemePerson.objects.create(scheme=scheme, person=Person.objects.get(source_id=source_id), reason="t")
    today = timezone.localdate()
    agreement = SharingAgreement.objects.create(
        scheme=scheme,
        title="ISA",
        legal_basis="cda1998_s115",
        purposes="IOM",
        starts_on=today - timedelta(days=1),
        review_date=today + timedelta(days=30),
    )
    agreement.parties.set([analyst.agency])  # type: ignore[list-item]
    assert sizes(elsewhere) == (2, 2)
    # The world's own analyst sees everyone.
    assert sizes(signed_in(Role.ANALYST)) == (6, 11)
