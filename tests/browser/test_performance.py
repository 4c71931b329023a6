"""A coordinator reads the scheme's performance in the browser: the honest comparison, case quality,
and the quarterly report. axe-core checks each page with its figures on it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from openiom.accounts.roles import Role
from tests.browser.conftest import assert_accessible, sign_in_as
from tests.performance.conftest import build_scheme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _urls_loaded() -> None:
    """Import every view before the browser's first request: on a busy machine that import can take
    longer than a page is given to load."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loading them is the point


def test_a_coordinator_reads_performance_and_produces_the_report(
    page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.EVALUATION_RUNNER = "inline"
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path)
    scheme = build_scheme()
    sign_in_as(page, scheme.world.users[Role.COORDINATOR].username)
    page.goto("/")
    page.get_by_role("link", name="Performance").first.click()
    assert page.get_by_text("would probably have happened anyway").first.is_visible()
    assert page.get_by_role("img", name="Proven offences per person, before and after").is_visible()
    assert_accessible(page)
    page.get_by_label("Months before and after adoption").select_option("6")
    page.get_by_role("button", name="Show").click()
    assert "months=6" in page.url
    assert_accessible(page)

    page.get_by_role("link", name="Case quality by team and worker").click()
    page.get_by_role("link", name="Active plan with requirements and agency actions").click()
    assert page.get_by_role("heading", name="Cases to look at").is_visible()
    assert page.get_by_role("link", name="PERFNAME000, Test").is_visible()
    assert_accessible(page)

    page.goto("/performance/")
    page.get_by_label("Quarter").fill("not a quarter")
    page.get_by_role("button", name="Produce the report").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert_accessible(page)
    day = timezone.localdate() - timedelta(days=100)
    page.get_by_label("Quarter").fill(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    # The job runs inside this request in tests (EVALUATION_RUNNER = "inline"): give it time to write the PDF.
    with page.expect_navigation(timeout=180_000):
        page.get_by_role("button", name="Produce the report").click(no_wait_after=True)
    assert page.get_by_role("link", name="Download the report (PDF)").is_visible()
    assert_accessible(page)


def test_an_analyst_sees_the_case_quality_by_pseudonym(page: Any) -> None:
    scheme = build_scheme()
    sign_in_as(page, scheme.world.users[Role.ANALYST].username)
    page.goto("/performance/quality/?indicator=risk_in_date")
    assert page.get_by_role("heading", name="Cases to look at").is_visible()
    assert "PERFNAME" not in page.content()
    assert_accessible(page)
