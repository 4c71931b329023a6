"""Emergency access (break-glass): it reveals what it unlocks, for a limited time, under a banner on
every page of that person; the coordinators' alert names the person; each use is reviewed."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from openiom.access.models import CoordinatorAlert
from openiom.access.restricted import validate_purpose
from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from tests.access.test_restricted_sweep import plant
from tests.access.world import World, build_world

pytestmark = pytest.mark.django_db
BANNER = "Emergency access is open"
REASON = "Collapsed in the cell, paramedics asking what he takes"


def break_glass(world: World) -> Client:
    assert world.case is not None
    officer = Client()
    officer.force_login(world.users[Role.POLICE_OFFICER])
    response = officer.post(
        reverse("cases:reveal", args=[world.case.pk]), {"purpose": REASON, "emergency": "on"}
    )
    assert response.status_code == 302
    return officer


def test_emergency_access_reveals_the_health_information_under_a_banner_on_every_page_of_the_person() -> None:
    world = build_world()
    plant(world)
    assert world.case is not None
    officer = Client()
    officer.force_login(world.users[Role.POLICE_OFFICER])
    plan_url = reverse("cases:plan", args=[world.case.pk])
    assert "HEALTHACTIONMARK" not in officer.get(plan_url).content.decode()
    officer = break_glass(world)
    for url in (
        reverse("cases:detail", args=[world.case.pk]),
        plan_url,
        reverse("people:detail", args=[world.in_scope.pk]),
        reverse("cases:contact-new", args=[world.case.pk]),
    ):
        page = officer.get(url).content.decode()
        assert BANNER in page, url
    assert "HEALTHNEEDMARK" in officer.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert "HEALTHACTIONMARK" in officer.get(plan_url).content.decode()
    # Other people's pages carry no banner: it is this person's record that is open.
    assert BANNER not in officer.get(reverse("people:search")).content.decode()
    event = AuditEvent.objects.get(action="restricted.emergency")
    assert (event.fields, event.purpose, event.detail["minutes"]) == (["health"], REASON, 15)


@override_settings(OPENIOM_UNLOCK_MINUTES=0)
def test_emergency_access_closes_after_the_configured_time() -> None:
    world = build_world()
    plant(world)
    assert world.case is not None
    officer = break_glass(world)
    page = officer.get(reverse("cases:plan", args=[world.case.pk])).content.decode()
    assert "HEALTHACTIONMARK" not in page and BANNER not in page


def test_the_alert_names_the_person_and_the_coordinator_records_the_outcome() -> None:
    world = build_world()
    break_glass(world)
    alert = CoordinatorAlert.objects.get(purpose=REASON)
    assert f"person {world.in_scope.pk}" not in alert.message
    coordinator = Client()
    coordinator.force_login(world.users[Role.COORDINATOR])
    page = coordinator.get(reverse("access:alerts")).content.decode()
    assert str(world.in_scope) in page and REASON in page
    assert AuditEvent.objects.filter(action="alerts.view", user=world.users[Role.COORDINATOR]).exists()

    url = reverse("access:alert-acknowledge", args=[alert.pk])
    prefix = f"alert-{alert.pk}"
    refused = coordinator.post(url, {f"{prefix}-outcome": "justified", f"{prefix}-note": "aaaaaaaaaaaa"})
    assert refused.status_code == 400 and "different words" in refused.content.decode()
    alert.refresh_from_db()
    assert alert.outcome == ""

    note = "Custody record confirms the paramedics asked; access was proportionate"
    response = coordinator.post(url, {f"{prefix}-outcome": "justified", f"{prefix}-note": note})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.outcome, alert.outcome_note, alert.reviewed_by) == (
        "justified",
        note,
        world.users[Role.COORDINATOR],
    )
    reviewed = AuditEvent.objects.get(action="alerts.review")
    assert reviewed.detail["outcome"] == "justified" and reviewed.object_id == str(alert.pk)
    assert "Justified" in coordinator.get(reverse("access:alerts")).content.decode()


def test_a_coordinator_outside_the_scheme_cannot_review_the_alert() -> None:
    world = build_world()
    break_glass(world)
    alert = CoordinatorAlert.objects.get(purpose=REASON)
    prefix = f"alert-{alert.pk}"
    note = "Checked the custody record and it was justified"
    # The analyst has no alerts permission at all; the world alert of another scheme is not theirs.
    analyst = Client()
    analyst.force_login(world.users[Role.ANALYST])
    url = reverse("access:alert-acknowledge", args=[alert.pk])
    assert analyst.post(url, {f"{prefix}-outcome": "justified", f"{prefix}-note": note}).status_code == 403
    alert.refresh_from_db()
    assert alert.outcome == ""


@pytest.mark.parametrize(
    "reason",
    ["aaaaaaaaaa", "          ", "a a a a a a a", "help help help help", "xyxyxyxyxyxy", "1234567890 12"],
)
def test_a_reason_that_says_nothing_is_refused_with_a_clear_message(reason: str) -> None:
    world = build_world()
    plant(world)
    assert world.case is not None
    officer = Client()
    officer.force_login(world.users[Role.POLICE_OFFICER])
    response = officer.post(
        reverse("cases:reveal", args=[world.case.pk]), {"purpose": reason, "emergency": "on"}, follow=True
    )
    page = response.content.decode()
    assert "HEALTHNEEDMARK" not in page and BANNER not in page
    assert (
        "different words" in page
        or "Enter why you need to see this information" in page
        or "fuller reason" in page
    )
    assert not AuditEvent.objects.filter(action="restricted.emergency").exists()
    assert not CoordinatorAlert.objects.filter(purpose=reason).exists()


def test_the_validator_accepts_a_real_reason() -> None:
    validate_purpose("Safety planning before a home visit")
    validate_purpose(REASON)
