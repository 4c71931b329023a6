"""How access control feels to a partner worker, a national viewer and a police officer."""

from __future__ import annotations

from typing import Any

import pytest

from openiom.access.models import CoordinatorAlert
from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from tests.access.world import World, build_world
from tests.browser.conftest import assert_accessible, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world() -> World:
    return build_world()


def test_partner_worker_sees_only_their_referral(page: Any, world: World) -> None:
    sign_in_as(page, world.users[Role.PARTNER_WORKER].username)
    nav = page.get_by_role("navigation", name="Menu")
    assert nav.get_by_role("link", name="People").is_visible()
    assert nav.get_by_role("link", name="Cohorts").count() == 0
    page.goto("/people/?q=EXAMPLEPERSON")  # in the scheme but not referred to this partner
    assert page.get_by_text("No one matches your search").is_visible()
    page.goto("/people/?q=TESTWORTH")
    page.get_by_role("link", name="TESTWORTH, Casey").click()
    assert page.get_by_role("heading", name="TESTWORTH, Casey").is_visible()
    assert page.get_by_text("Offending timeline").count() == 0
    assert page.get_by_text(
        "The referral to your organisation does not share any more of this record"
    ).is_visible()
    assert_accessible(page)


def test_national_viewer_sees_only_aggregates(page: Any, world: World) -> None:
    sign_in_as(page, world.users[Role.NATIONAL_VIEWER].username)
    page.get_by_role("link", name="National overview").first.click()
    table = page.get_by_role("table", name="People worked with, by scheme")
    assert "Example IOM" in table.inner_text()
    assert "fewer than 5" in table.inner_text()
    assert page.get_by_role("link", name="People").count() == 0
    response = page.goto(f"/people/{world.in_scope.pk}/")
    assert response.status == 403
    assert_accessible(page)


def test_officer_opens_victim_details_with_a_stated_purpose(page: Any, world: World) -> None:
    officer = world.users[Role.POLICE_OFFICER]
    sign_in_as(page, officer.username)
    page.goto(f"/people/{world.in_scope.pk}/")
    assert page.get_by_text("V-0001").count() == 0
    page.get_by_role("button", name="Show victim details").click()
    assert page.get_by_text("Enter why you need to see this information").first.is_visible()
    page.get_by_label("Why do you need to see this?").fill("Safety planning before a home visit")
    page.get_by_role("button", name="Show victim details").click()
    victims = page.get_by_role("table", name="Offences with a recorded victim")
    assert "V-0001" in victims.inner_text()
    assert_accessible(page)
    opened = AuditEvent.objects.get(user=officer, action="restricted.victim")
    assert opened.purpose == "Safety planning before a home visit"
    assert opened.fields == ["victim"]


def test_coordinator_sees_emergency_access_alerts(page: Any, world: World) -> None:
    from openiom.access.services import emergency_access_record

    emergency_access_record(
        user=world.users[Role.POLICE_OFFICER],
        person=world.in_scope,
        group="health",
        purpose="Person collapsed in custody",
    )
    assert CoordinatorAlert.objects.filter(message__contains="Person collapsed in custody").count() == 1
    sign_in_as(page, world.users[Role.COORDINATOR].username)
    page.goto("/access/alerts")
    assert page.get_by_text("Person collapsed in custody").first.is_visible()
    # The alert names the person as the coordinator sees them, not by record id.
    assert page.get_by_role("heading", name="Emergency access to TESTWORTH, Casey").first.is_visible()
    page.get_by_role("button", name="Record review").first.click()
    assert page.get_by_text("Choose whether the emergency access was justified").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Not justified").first.check()
    page.get_by_label("Your review").first.fill("No paramedic call is recorded on the custody log")
    page.get_by_role("button", name="Record review").first.click()
    assert page.get_by_text("Your review is recorded.").is_visible()
    assert page.get_by_text("No paramedic call is recorded on the custody log").is_visible()
    assert_accessible(page)
    reviewed = AuditEvent.objects.get(action="alerts.review")
    assert reviewed.detail["outcome"] == "not_justified"


def test_officer_uses_emergency_access_and_sees_it_under_a_banner(page: Any, world: World) -> None:
    from openiom.cases.models import Need

    assert world.case is not None
    Need.objects.create(case=world.case, pathway="drugs_alcohol", level="high", notes="Daily heroin use")
    sign_in_as(page, world.users[Role.POLICE_OFFICER].username)
    page.goto(f"/cases/{world.case.pk}/")
    assert page.get_by_text("Daily heroin use").count() == 0
    page.get_by_label("Why do you need to see this?").fill("aaaaaaaaaaaa")
    page.get_by_role("button", name="Use emergency access").click()
    assert page.get_by_text("different words").first.is_visible()
    page.get_by_label("Why do you need to see this?").fill("Collapsed in the cell, paramedics asking")
    page.get_by_role("button", name="Use emergency access").click()
    banner = page.get_by_role("region", name="Emergency access is open")
    assert banner.is_visible()
    assert page.get_by_text("Daily heroin use").is_visible()
    assert_accessible(page)
    page.goto(f"/people/{world.in_scope.pk}/")
    assert page.get_by_role("region", name="Emergency access is open").is_visible()
    assert CoordinatorAlert.objects.filter(purpose="Collapsed in the cell, paramedics asking").exists()
