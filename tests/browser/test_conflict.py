"""Two workers edit the same case at once: the second save gets the conflict page, nothing is lost."""

from __future__ import annotations

from typing import Any

import pytest

from openiom.accounts.roles import Role
from openiom.cases.models import Case
from tests.access.world import World, build_world
from tests.browser.conftest import assert_accessible, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world() -> World:
    return build_world()


def test_the_second_of_two_open_forms_gets_the_conflict_page(
    browser: Any, page: Any, live_server: Any, world: World
) -> None:
    assert world.case is not None
    risk_form = f"/cases/{world.case.pk}/risk"
    # The police officer and the probation practitioner open the same form in their own browsers.
    sign_in_as(page, world.users[Role.POLICE_OFFICER].username)
    page.goto(risk_form)
    other_context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    other = other_context.new_page()
    try:
        sign_in_as(other, world.users[Role.PROBATION_PRACTITIONER].username)
        other.goto(risk_form)

        page.get_by_label("Risk of serious harm").select_option("very_high")
        page.get_by_label("Risk review date").fill("2030-01-31")
        page.get_by_label("Weapons").check()
        page.get_by_role("button", name="Save").click()
        page.wait_for_load_state()
        assert page.get_by_text("Risk and flags saved.").is_visible()

        # The practitioner's form still holds the version they opened.
        other.get_by_label("Risk of serious harm").select_option("low")
        other.get_by_label("Risk review date").fill("2030-02-28")
        other.get_by_role("button", name="Save").click()
        other.wait_for_load_state()
        assert other.get_by_role("heading", name="Someone else saved this first").is_visible()
        yours = other.locator(".govuk-grid-column-one-half").nth(0)
        saved = other.locator(".govuk-grid-column-one-half").nth(1)
        assert "Low" in yours.inner_text() and "Very high" in saved.inner_text()
        assert_accessible(other)

        # Nothing was overwritten, and going back shows the latest version to edit again.
        case = Case.objects.get(pk=world.case.pk)
        assert (case.risk_level, case.weapons) == ("very_high", True)
        other.get_by_role("link", name="Go back to the latest version").click()
        other.wait_for_load_state()
        other.get_by_role("link", name="Change risk and flags").click()
        assert other.get_by_label("Risk of serious harm").input_value() == "very_high"
        assert other.get_by_label("Weapons").is_checked()
    finally:
        other_context.close()
