"""An analyst opens a definition, copies it, changes a threshold, saves and runs it, in real
Chromium with an axe check on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openiom.access.models import Agency, AgencyKind, Scheme, SchemeMembership
from openiom.accounts.roles import Role
from tests.browser.conftest import assert_accessible
from tests.cohorts.world import SYSTEM, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date


def test_analyst_copies_a_definition_changes_a_threshold_and_runs_it(
    page: Any, sign_in: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    # As in test_cohorts_page: the in-memory test database cannot be opened by a job process.
    settings.EVALUATION_RUNNER = "inline"
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path)
    w = World()
    for i in range(8):
        w.person(f"P{i}")
        for k in range(i):
            w.event(f"P{i}", "conviction", D(2025, 2, 1) + dt.timedelta(days=15 * k))
    w.load_database("default")
    user = sign_in(Role.ANALYST)
    user.agency = Agency.objects.create(
        code="SYN", name="Synthetic", kind=AgencyKind.POLICE, source_systems=[SYSTEM]
    )
    user.save()
    scheme = Scheme.objects.create(code="NORTH", name="North IOM", region="North")
    SchemeMembership.objects.create(user=user, scheme=scheme)

    page.goto(f"{live_server.url}/cohorts/definitions/")
    assert_accessible(page)
    page.get_by_role("link", name="Six or more convictions in the last 12 months").click()
    assert page.get_by_role("heading", name="Six or more convictions in the last 12 months").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Copy and change").click()
    box = page.get_by_label("Definition (YAML)")
    text = box.input_value()
    box.fill(text.replace("at_least: 6", "at_least: 0"))
    page.get_by_role("button", name="Save definition").click()
    assert (
        "rule.count.at_least: Input should be greater than or equal to 1"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page)
    box = page.get_by_label("Definition (YAML)")
    box.fill(box.input_value().replace("at_least: 0", "at_least: 4").replace("-copy", "-north"))
    page.get_by_label("What changed (optional)").fill("four instead of six")
    page.get_by_role("button", name="Save definition").click()
    assert "Saved persistent-six-convictions-north version 1." in page.inner_text("main")
    assert "at least: 4" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_label("As-of date").fill("2025-12-31")
    page.get_by_role("button", name="Run this definition").click()
    page.wait_for_url("**/cohorts/jobs/*/")
    assert page.locator("#job-status").inner_text() == "Finished"
    sizes = page.get_by_role("table", name="Cohort sizes")
    assert "persistent-six-convictions-north@1" in sizes.inner_text()
    assert_accessible(page)
