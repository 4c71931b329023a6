"""Issue 13 item 2: the access log lists every read and write of anything about the person, and the
data protection officer's subject-access export holds the record and that log."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.audit.selectors import audit_verify, person_access_log
from openiom.audit.services import audit_record
from openiom.cases.models import Case, Plan, ServiceReferral
from tests.access.test_urls import routed, url_for
from tests.access.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: object) -> World:
    return build_world()


ABOUT_A_PERSON = ("<int:person_id>", "<int:case_id>", "<int:referral_id>", "<int:alert_id>")


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _client(world: World, role: Role) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


class Day:
    """A day's activity on the in-scope person, remembering the audit rows each request wrote."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.rows: dict[str, list[AuditEvent]] = {}

    def request(self, client: Client, where: str, url: str, data: dict[str, Any] | None = None) -> int:
        before = _last_id()
        response = client.post(url, data) if data is not None else client.get(url)
        assert response.status_code != 500, where
        if response.status_code in (200, 302):
            self.rows[f"{where} {url} ({response.status_code})"] = list(
                AuditEvent.objects.filter(pk__gt=before).order_by("id")
            )
        return response.status_code


def _walk(day: Day) -> None:
    """Every page about the person, for every role, as tests/access/test_urls.py walks them."""
    for role in Role:
        client = _client(day.world, role)
        for name, _view, route in routed():
            if not any(key in route for key in ABOUT_A_PERSON):
                continue
            day.request(client, f"{role.value} reads {name}", url_for(name, route, day.world, True))


def _writes(day: Day) -> None:
    """The day's changes to the person's case, each by the role that makes it."""
    world = day.world
    assert world.case is not None and world.referral is not None
    case, person = f"/cases/{world.case.pk}", f"/people/{world.in_scope.pk}"
    today = timezone.localdate()
    later = (today + timedelta(weeks=6)).isoformat()
    probation = _client(world, Role.PROBATION_PRACTITIONER)

    def case_version() -> int:
        return Case.objects.get(pk=world.case.pk).version  # type: ignore[union-attr]

    def plan_version() -> int:
        return Plan.objects.get(case=world.case).version

    writes: list[tuple[Client, str, str, Callable[[], dict[str, Any]]]] = [
        (
            probation,
            "opens health",
            f"{case}/restricted/health",
            lambda: {"purpose": "Planning the drug service referral"},
        ),
        (
            probation,
            "opens victim",
            f"{person}/restricted/victim",
            lambda: {"purpose": "Victim safety check"},
        ),
        (
            probation,
            "saves risk",
            f"{case}/risk",
            lambda: {
                "version": case_version(),
                "mappa_level": "0",
                "risk_level": "high",
                "risk_review_date": later,
            },
        ),
        (
            probation,
            "saves a health need",
            f"{case}/needs/drugs_alcohol",
            lambda: {"version": case_version(), "level": "high", "notes": "Daily use"},
        ),
        (
            probation,
            "records a contact",
            f"{case}/contacts/new",
            lambda: {
                "contact_type": "home_visit",
                "agency": world.probation.pk,
                "on": today.isoformat(),
                "outcome": "attended",
            },
        ),
        (
            probation,
            "records a review",
            f"{case}/review",
            lambda: {"version": case_version(), "notes": "Engaging", "next_due": later},
        ),
        (
            probation,
            "adds a requirement",
            f"{case}/plan/requirements",
            lambda: {
                "version": plan_version(),
                "text": "Attend the thinking skills course",
                "due_date": later,
                "how_checked": "The tutor confirms attendance",
            },
        ),
        (
            probation,
            "refers to a service",
            f"{case}/referrals/new",
            lambda: {"service": "housing", "agency": world.partner.pk, "reason": "Needs a tenancy"},
        ),
        (
            _client(world, Role.PARTNER_WORKER),
            "updates the referral",
            f"/cases/referrals/{world.referral.pk}/",
            lambda: {
                "version": ServiceReferral.objects.get(pk=world.referral.pk).version,  # type: ignore[union-attr]
                "status": "accepted",
                "on": today.isoformat(),
            },
        ),
        (
            _client(world, Role.COORDINATOR),
            "reviews the alert",
            f"/access/alerts/{world.alert.pk}/acknowledge",
            lambda: {
                f"alert-{world.alert.pk}-outcome": "justified",  # type: ignore[union-attr]
                f"alert-{world.alert.pk}-note": "Checked the call log with the duty sergeant",  # type: ignore[union-attr]
            },
        ),
    ]
    for client, what, url, data in writes:
        status = day.request(client, what, url, data())
        assert status == 302, f"{what}: {status}"


def test_a_day_of_activity_is_all_in_the_persons_access_log(world: World) -> None:
    day = Day(world)
    _walk(day)
    _writes(day)
    logged = set(person_access_log(person_id=world.in_scope.pk).values_list("id", flat=True))
    unaudited = [where for where, rows in day.rows.items() if not rows]
    assert unaudited == [], "requests about the person that wrote no audit row: " + "\n".join(unaudited)
    missing = [
        f"{where}: {row.action} {row.object_type} {row.object_id}"
        for where, rows in day.rows.items()
        for row in rows
        if row.pk not in logged and row.action != "permission.denied"
    ]
    assert missing == [], "audit rows about the person missing from their access log"
    # The log page shows them to a coordinator, case pages included.
    page = _client(world, Role.COORDINATOR).get(f"/people/{world.in_scope.pk}/access-log").content.decode()
    assert "case.view" in page and "case.need" in page and "referral.update" in page


def test_case_page_reads_are_in_the_persons_access_log(world: World) -> None:
    assert world.case is not None
    _client(world, Role.POLICE_OFFICER).get(f"/cases/{world.case.pk}/")
    _client(world, Role.POLICE_OFFICER).get(f"/cases/{world.case.pk}/plan")
    actions = list(person_access_log(person_id=world.in_scope.pk).values_list("action", "object_type"))
    assert actions.count(("case.view", "case")) == 2


def test_the_subject_is_worked_out_from_the_object_named(world: World) -> None:
    assert world.case is not None and world.referral is not None
    assert (
        audit_record(
            user=None, action="case.view", object_type="case", object_id=world.case.pk
        ).subject_person
        == world.in_scope.pk
    )
    assert (
        audit_record(
            user=None, action="referral.view", object_type="referral", object_id=world.referral.pk
        ).subject_person
        == world.in_scope.pk
    )
    assert (
        audit_record(
            user=None, action="alerts.acknowledge", object_type="coordinator_alert", object_id=world.alert.pk
        ).subject_person
        == world.in_scope.pk
    )
    assert audit_record(user=None, action="national.view").subject_person is None


def test_the_subject_is_hashed_so_moving_a_row_out_of_a_log_is_detected(world: World) -> None:
    assert world.case is not None
    row = audit_record(user=None, action="case.view", object_type="case", object_id=world.case.pk)
    AuditEvent.objects.filter(pk=row.pk).update(subject_person=None)
    problems = [p for p in audit_verify().problems if p.kind == "edited"]
    assert [p.event_id for p in problems] == [row.pk]


def test_the_subject_access_export_holds_the_record_and_the_log(world: World) -> None:
    assert world.case is not None
    _client(world, Role.PROBATION_PRACTITIONER).get(f"/cases/{world.case.pk}/")
    url = f"/people/{world.in_scope.pk}/subject-access.zip"
    assert _client(world, Role.COORDINATOR).get(url).status_code == 403
    response = _client(world, Role.ADMINISTRATOR).get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"README.txt", "record.json", "access-log.csv", "access-log.json"}
    held = json.loads(archive.read("record.json"))
    assert held["people.Person"][0]["family_name"] == world.in_scope.family_name
    assert [c["id"] for c in held["cases.Case"]] == [world.case.pk]
    assert held["offending.OffendingEvent"] and held["cases.ServiceReferral"]
    assert all(r["person_id"] == world.in_scope.pk for r in held["offending.OffendingEvent"])
    log = json.loads(archive.read("access-log.json"))
    actions = [row["action"] for row in log]
    assert "case.view" in actions and actions[-1] == "person.subject_access"
    assert "w.probation_practitioner" in archive.read("access-log.csv").decode()
    # The export itself is in the person's log.
    assert person_access_log(person_id=world.in_scope.pk).filter(action="person.subject_access").exists()


def test_the_subject_access_export_holds_nothing_of_another_person() -> None:
    world = build_world()
    response = _client(world, Role.ADMINISTRATOR).get(f"/people/{world.out_of_scope.pk}/subject-access.zip")
    held = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("record.json"))
    assert world.in_scope.family_name not in json.dumps(held)
    assert held["cases.Case"][0]["person_id"] == world.out_of_scope.pk
