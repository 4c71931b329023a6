"""The Workforce pages through the Django test client: figures, CSV, entering a record, the catalogue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cases.models import Case
from openiom.workforce import selectors
from openiom.workforce.models import Course, TrainingRecord
from tests.access.world import World

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _expiring(world: World, code: str, days: int) -> None:
    today = timezone.localdate()
    TrainingRecord.objects.create(
        worker=world.users[Role.POLICE_OFFICER],
        course=Course.objects.get(code=code),
        completed_on=today - timedelta(days=400),
        expires_on=today + timedelta(days=days),
    )


def test_expiring_in_the_next_60_days_counts_today_and_day_60_not_day_61(world: World) -> None:
    _expiring(world, "iom_induction", 0)
    _expiring(world, "safeguarding_children", 60)
    _expiring(world, "safeguarding_adults", 61)
    _expiring(world, "mappa_awareness", -1)
    figures = selectors.workforce_figures(world.users[Role.COORDINATOR], world.scheme)
    assert [e.course.code for e in figures.expiring] == ["iom_induction", "safeguarding_children"]
    police = {r.course.code: r for r in figures.coverage if r.agency == world.police.name}
    assert (police["iom_induction"].in_date, police["iom_induction"].expiring) == (1, 1)
    assert (police["safeguarding_adults"].in_date, police["safeguarding_adults"].expiring) == (1, 0)
    assert police["mappa_awareness"].in_date == 0 and police["mappa_awareness"].missing == 1


def test_the_coordinators_page_and_csv_show_the_same_numbers(world: World) -> None:
    assert world.case is not None
    Case.objects.filter(pk=world.case.pk).update(domestic_abuse=True)
    _expiring(world, "domestic_abuse_perpetrator", 10)
    client = _client(world.users[Role.COORDINATOR])
    page = client.get("/workforce/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Cases held by staff without the training they need" in text
    assert world.users[Role.PROBATION_PRACTITIONER].get_full_name() in text  # untrained on a DA case
    assert 'role="img"' in text  # the chart, beside its table
    csv = client.get(f"/workforce/coverage.csv?scheme={world.scheme.code}")
    assert csv["Content-Type"].startswith("text/csv") and "no-store" in csv["Cache-Control"]
    rows = csv.content.decode().splitlines()
    assert rows[0] == "agency,course,workers,in_date,missing_or_expired,expiring_60_days"
    assert f"{world.police.name},domestic_abuse_perpetrator,1,1,0,1" in rows
    assert AuditEvent.objects.filter(action="workforce.download").exists()
    assert _client(world.users[Role.POLICE_OFFICER]).get("/workforce/").status_code == 403


def test_a_coordinator_records_training_and_the_worker_sees_it(world: World) -> None:
    officer = world.users[Role.POLICE_OFFICER]
    course = Course.objects.get(code="domestic_abuse_perpetrator")
    client = _client(world.users[Role.COORDINATOR])
    tomorrow = timezone.localdate() + timedelta(days=1)
    refused = client.post(
        "/workforce/records/new", {"worker": officer.pk, "course": course.pk, "completed_on": tomorrow}
    )
    assert refused.status_code == 200 and "cannot be in the future" in refused.content.decode()
    assert not TrainingRecord.objects.exists()
    # Someone outside the coordinator's schemes is not offered.
    outsider = world.users[Role.ADMINISTRATOR]
    assert (
        "Select a valid choice"
        in client.post(
            "/workforce/records/new",
            {"worker": outsider.pk, "course": course.pk, "completed_on": "2025-05-01"},
        ).content.decode()
    )
    done = client.post(
        "/workforce/records/new",
        {"worker": officer.pk, "course": course.pk, "completed_on": "2025-05-01", "evidence": "CERT-9"},
    )
    assert done.status_code == 302
    record = TrainingRecord.objects.get()
    assert str(record.expires_on) == "2027-04-30" and record.recorded_by == world.users[Role.COORDINATOR]
    mine = _client(officer).get("/workforce/mine/").content.decode()
    assert "Domestic-abuse perpetrator work" in mine and "CERT-9" in mine
    other = _client(world.users[Role.PROBATION_PRACTITIONER]).get("/workforce/mine/").content.decode()
    assert "CERT-9" not in other


def test_an_administrator_edits_the_catalogue(world: World) -> None:
    client = _client(world.users[Role.ADMINISTRATOR])
    course = Course.objects.get(code="trauma_informed")
    bad = client.post(
        f"/workforce/courses/{course.pk}",
        {"version": course.version, "title": "Trauma-informed practice", "validity_months": "500"},
    )
    assert "between 1 and 120" in bad.content.decode()
    saved = client.post(
        f"/workforce/courses/{course.pk}",
        {
            "version": course.version,
            "title": "Trauma-informed practice",
            "validity_months": "36",
            "flags": ["safeguarding_children"],
            "streams": ["fixed"],
            "active": "on",
        },
    )
    assert saved.status_code == 302
    course.refresh_from_db()
    assert (course.validity_months, course.flags, course.streams) == (
        36,
        ["safeguarding_children"],
        ["fixed"],
    )
    created = client.post(
        "/workforce/courses/new",
        {"code": "county_lines", "title": "County lines exploitation", "flags": ["gang"]},
    )
    assert created.status_code == 302 and Course.objects.get(code="county_lines").flags == ["gang"]
    assert AuditEvent.objects.filter(action__in=["course.update", "course.create"]).count() == 2
