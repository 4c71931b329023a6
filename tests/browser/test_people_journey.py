"""A police officer finds a person and reads their offending timeline."""

from typing import Any

import pytest
from playwright.sync_api import expect

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.people.models import Person
from tests.access.world import World, build_world
from tests.browser.conftest import assert_accessible, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world() -> World:
    return build_world()


def test_search_then_read_the_timeline(page: Any, world: World) -> None:
    officer = world.users[Role.POLICE_OFFICER]
    sign_in_as(page, officer.username)

    page.get_by_role("link", name="People").first.click()
    page.get_by_label("Name, PNC ID, probation case reference or local police ID").fill("2003/0012345N")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_text("1 person found").is_visible()
    page.get_by_role("link", name="EXAMPLEPERSON, Alex").click()

    assert page.get_by_role("heading", name="EXAMPLEPERSON, Alex").is_visible()
    timeline = page.get_by_role(
        "table", name="Arrests, charges, convictions, cautions and out-of-court disposals"
    )
    rows = timeline.locator("tbody tr")
    assert rows.count() == 5
    # Newest first: the 2025 theft from the person, proven by conviction.
    assert "Theft from the person" in rows.first.inner_text()
    assert "Neighbourhood crime" in rows.first.inner_text()
    assert "In custody from 1 Mar 2024, released 1 Jun 2024" in timeline.inner_text()
    assert_accessible(page)

    person = Person.objects.get(source_id="P0001")
    viewed = AuditEvent.objects.filter(user=officer, action="person.view", object_id=str(person.pk))
    assert viewed.count() == 1
    assert "offending_history" in viewed.get().fields


def test_search_works_without_javascript(browser: Any, live_server: Any, world: World) -> None:
    from openiom.access.selectors import people_visible_to

    officer = world.users[Role.POLICE_OFFICER]
    assert people_visible_to(officer, "person.search").filter(family_name="TESTWORTH").exists()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in_as(page, officer.username)
    response = page.goto("/people/?q=testworth")
    assert response.status == 200, response.status
    expect(page.get_by_role("link", name="TESTWORTH, Casey")).to_be_visible()
    context.close()
