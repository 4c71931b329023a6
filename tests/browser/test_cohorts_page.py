"""An analyst compares definitions on the cohort page in real Chromium, with an axe check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openiom.accounts.roles import Role
from tests.browser.conftest import assert_accessible
from tests.cohorts.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = dt.date


def test_analyst_compares_definitions(page: Any, sign_in: Any, settings: Any, tmp_path: Any) -> None:
    # The live server's test database is in memory, which a job process cannot open: the job runs in
    # the server process once the request has recorded it (tests/cohorts/test_jobs.py proves a real
    # worker process does it outside the request).
    settings.EVALUATION_RUNNER = "inline"
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path)
    w = World()
    for i in range(8):
        w.person(f"P{i}")
        for k in range(2 * i):
            w.event(f"P{i}", "conviction", D(2025, 2, 1) + dt.timedelta(days=15 * k))
    w.load_database("default")
    sign_in(Role.ANALYST)
    page.get_by_role("link", name="Cohorts").first.click()
    assert_accessible(page)
    page.get_by_label("As-of date").fill("2025-12-31")
    page.get_by_label("Six or more convictions in the last 12 months").check()
    page.get_by_label("15 or more proven offences (chronic offender)").check()
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_url("**/cohorts/jobs/*/")
    assert page.locator("#job-status").inner_text() == "Finished"
    assert page.get_by_role("link", name="Download every number (CSV)").is_visible()
    sizes = page.get_by_role("table", name="Cohort sizes")
    assert "Six or more convictions in the last 12 months" in sizes.inner_text()
    assert page.get_by_role("img", name="Number of people each definition selects on 2025-12-31").is_visible()
    assert page.get_by_role("img", name="Lorenz curve of proven offences among offenders").is_visible()
    assert_accessible(page)
    # Who each definition selects: the chart of ratios and its tables, opened, checked by axe too.
    page.locator("summary", has_text="Six or more convictions in the last 12 months").click()
    assert page.get_by_role(
        "img",
        name="Selection rate ratios by ethnic group among offenders: Six or more convictions in the last 12 months",
    ).is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cohorts").first.click()
    page.get_by_role("table", name="Analyses you started").wait_for()
    assert_accessible(page)
