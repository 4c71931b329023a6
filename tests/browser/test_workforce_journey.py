"""A coordinator records training, is refused an untrained allocation of a domestic-abuse case,
overrides it with a reason and finds the override on the Workforce page; axe checks each page."""

from __future__ import annotations

from typing import Any

import pytest

from openiom.accounts.roles import Role
from openiom.cases.models import Case
from tests.access.world import build_world
from tests.browser.conftest import assert_accessible, sign_in_with_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REASON = "Only officer on the team this month; training booked for the 12th."


def test_a_coordinator_records_training_and_overrides_an_untrained_allocation(
    page: Any, live_server: Any
) -> None:
    world = build_world()
    assert world.case is not None
    Case.objects.filter(pk=world.case.pk).update(domestic_abuse=True, police_worker=None)
    officer = world.users[Role.POLICE_OFFICER]
    sign_in_with_session(page, world.users[Role.COORDINATOR], live_server.url)

    page.goto(f"{live_server.url}/workforce/records/new")
    page.get_by_label("Worker").select_option(str(officer.pk))
    page.get_by_label("Course").select_option(label="IOM induction")
    page.get_by_label("Completed on").fill("2025-05-01")
    page.get_by_role("button", name="Save training record").click()
    assert page.get_by_text("Training record saved.").is_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/cases/{world.case.pk}/transfer")
    page.get_by_label("Police key worker").select_option(str(officer.pk))
    page.get_by_label("Reason for the transfer").fill("Reallocated within the team")
    page.get_by_role("button", name="Transfer").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert page.get_by_text("Domestic-abuse perpetrator work").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Reason for allocating without the training").fill(REASON)
    page.get_by_role("button", name="Transfer").click()
    assert page.get_by_text("Case transferred.").is_visible()

    page.goto(f"{live_server.url}/workforce/")
    assert page.get_by_role("cell", name=REASON).is_visible()
    assert page.get_by_role("img", name="Workers with the course in date, all agencies").is_visible()
    assert_accessible(page)
