"""Issue 13 item 5, case work: a lapsed sharing agreement, stale reviews and panel decisions, and the
alerts page and health-need form in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cases.models import Case, CaseStatus, PanelDecision, Review
from openiom.people.models import Person
from tests.access.world import World

pytestmark = pytest.mark.django_db


def _client(world: World, role: Role) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_the_caseload_says_the_agreement_lapsed_and_shows_what_remains(world: World) -> None:
    world.agreement.review_date = timezone.localdate() - timedelta(days=1)
    world.agreement.save(update_fields=["review_date"])
    response = _client(world, Role.PROBATION_PRACTITIONER).get("/cases/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Example ISA" in page and "lapsed" in page


def test_two_people_saving_the_same_review_the_second_gets_a_conflict(world: World) -> None:
    assert world.case is not None
    url = f"/cases/{world.case.pk}/review"
    opened = _client(world, Role.POLICE_OFFICER).get(url).content.decode()
    assert 'name="version"' in opened
    version = Case.objects.get(pk=world.case.pk).version
    next_due = (timezone.localdate() + timedelta(weeks=6)).isoformat()
    first = _client(world, Role.POLICE_OFFICER).post(
        url, {"version": version, "notes": "Engaging well", "next_due": next_due}
    )
    assert first.status_code == 302
    second = _client(world, Role.PROBATION_PRACTITIONER).post(
        url, {"version": version, "notes": "Missed two appointments", "next_due": next_due}
    )
    assert second.status_code == 409
    assert "Someone else saved this first" in second.content.decode()
    notes = list(Review.objects.filter(case=world.case).exclude(notes="").values_list("notes", flat=True))
    assert notes == ["Engaging well"]


def test_a_panel_decision_from_a_stale_page_conflicts(world: World) -> None:
    person = Person.objects.get(source_id="P0001")
    url = f"/cases/panel/{person.pk}/decide"
    coordinator = _client(world, Role.COORDINATOR)
    assert 'name="version"' in coordinator.get(url).content.decode()
    first = coordinator.post(
        url, {"version": 0, "decision": "defer", "rationale": "Wait for the court outcome next month"}
    )
    assert first.status_code == 302
    stale = _client(world, Role.COORDINATOR).post(
        url, {"version": 0, "decision": "decline", "rationale": "Not prolific enough for the scheme"}
    )
    assert stale.status_code == 409
    case = Case.objects.get(person=person)
    assert case.status == CaseStatus.DEFERRED
    assert list(PanelDecision.objects.filter(case=case).values_list("decision", flat=True)) == ["defer"]


def test_the_alerts_page_is_audited(world: World) -> None:
    before = AuditEvent.objects.count()
    assert _client(world, Role.COORDINATOR).get("/access/alerts").status_code == 200
    assert AuditEvent.objects.filter(pk__gt=before, action="alerts.view").exists()


def test_the_health_need_form_is_audited_when_read_and_saved(world: World) -> None:
    assert world.case is not None
    client = _client(world, Role.PROBATION_PRACTITIONER)
    client.post(f"/cases/{world.case.pk}/restricted/health", {"purpose": "Planning a treatment referral"})
    url = f"/cases/{world.case.pk}/needs/drugs_alcohol"
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert client.get(url).status_code == 200
    read = AuditEvent.objects.filter(pk__gt=before).get()
    assert read.action == "case.need.view" and read.fields == ["health"]
    version = Case.objects.get(pk=world.case.pk).version
    assert client.post(url, {"version": version, "level": "high", "notes": "Daily use"}).status_code == 302
    written = AuditEvent.objects.filter(pk__gt=read.pk, action="case.need").get()
    assert written.fields == ["health"]
