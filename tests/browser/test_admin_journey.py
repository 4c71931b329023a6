"""An administrator sets up a new scheme in the web: agency, scheme, agreement, service, user."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from openiom.accounts.models import User
from openiom.accounts.roles import Role
from tests.access.world import World, build_world
from tests.browser.conftest import assert_accessible, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world() -> World:
    return build_world()


def test_an_administrator_sets_up_a_new_scheme(page: Any, world: World) -> None:
    sign_in_as(page, world.users[Role.ADMINISTRATOR].username)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Administration").click()
    assert_accessible(page)
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Agencies").click()
    page.get_by_role("link", name="Add an agency").click()
    page.get_by_label("Code").fill("WSP")
    page.get_by_label("Name").fill("Westshire Police")
    page.get_by_label("Kind of agency").select_option("police")
    page.get_by_label("Record systems it holds (optional)").fill("WSP-NICHE")
    assert_accessible(page)
    page.get_by_role("button", name="Add agency").click()
    assert page.get_by_text("Westshire Police has been added.").is_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Schemes").click()
    page.get_by_role("link", name="Set up an IOM scheme").click()
    page.get_by_label("Code").fill("WS-IOM")
    page.get_by_label("Name").fill("Westshire IOM")
    page.get_by_label("Region").fill("West")
    page.get_by_label("Westshire Police").check()
    page.get_by_label("Example Probation").check()
    page.get_by_role("button", name="Set up scheme").click()
    assert page.get_by_text("Westshire IOM has been set up.").is_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Sharing agreements"
    ).click()
    page.get_by_role("link", name="Record a sharing agreement").click()
    today = timezone.localdate()
    page.get_by_label("Scheme").select_option(label="Westshire IOM")
    page.get_by_label("Title").fill("Westshire ISA")
    page.get_by_label("Westshire Police").check()
    page.get_by_label("Example Probation").check()
    page.get_by_label("Purposes").fill("Managing the Westshire IOM cohort")
    page.get_by_label("Starts on").fill(today.isoformat())
    page.get_by_label("Review date").fill((today - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Record agreement").click()
    assert page.get_by_role("link", name="The review date must be after the start date").is_visible()
    assert_accessible(page)
    page.get_by_label("Review date").fill((today + timedelta(days=365)).isoformat())
    page.get_by_role("button", name="Record agreement").click()
    assert page.get_by_text("Westshire ISA has been recorded.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Services and what each referral shares").click()
    assert page.get_by_role("heading").first.is_visible()
    assert_accessible(page)

    page.go_back()
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Username").fill("w.officer")
    page.get_by_label("First name").fill("Wyn")
    page.get_by_label("Last name").fill("Officer")
    page.get_by_label("Role").select_option("police_officer")
    page.get_by_label("Agency").select_option(label="Westshire Police")
    page.get_by_label("Westshire IOM").check()
    assert_accessible(page)
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_text("Account w.officer created.").is_visible()
    assert_accessible(page)
    user = User.objects.get(username="w.officer")
    assert user.agency is not None and user.agency.code == "WSP"
