"""A police officer finds a person and reads their offending timeline."""

from pathlib import Path
from typing import Any

import pytest

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.imports.services import events_import, people_import
from openiom.reference.datafiles import builtin_directory
from openiom.reference.services import reference_dataset_load
from tests.browser.conftest import assert_accessible

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_then_read_the_timeline(page: Any, sign_in: Any) -> None:
    reference_dataset_load(directory=builtin_directory())
    people_import(path=EXAMPLES / "people.csv")
    events_import(path=EXAMPLES / "events.csv")
    officer = sign_in(Role.POLICE_OFFICER)

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

    viewed = AuditEvent.objects.filter(user=officer, action="person.view")
    assert viewed.count() == 1
    assert "offending_history" in viewed.get().fields


def test_search_works_without_javascript(browser: Any, live_server: Any, db: Any) -> None:
    from openiom.accounts.services import user_create
    from tests.browser.conftest import PASSWORD

    reference_dataset_load(directory=builtin_directory())
    people_import(path=EXAMPLES / "people.csv")
    user_create(username="nojs", password=PASSWORD, role=Role.PROBATION_PRACTITIONER)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/sign-in")
    page.get_by_label("Username").fill("nojs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/people/?q=testworth")
    assert page.get_by_role("link", name="TESTWORTH, Casey").is_visible()
    context.close()
