"""An analyst evaluates a programme in the browser: start a run on planted data (or on the scheme's own
adopted cases), follow the status page until it finishes, read the results and download the report.
axe-core checks each page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from openiom.accounts.roles import Role
from tests.browser.conftest import assert_accessible, sign_in_as
from tests.evaluation import cases_world
from tests.evaluation.web import planted_folder

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return planted_folder(tmp_path_factory.mktemp("evaluation-data"))


@pytest.fixture
def evaluation_settings(planted: Path, tmp_path: Path, settings: Any) -> None:
    settings.EVALUATION_DATA_DIR = str(planted)
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path / "runs")
    name = str(connection.settings_dict["NAME"])
    in_memory = connection.vendor == "sqlite" and ("mode=memory" in name or name == ":memory:")
    # A real background process wherever it can reach the test database; an in-memory SQLite one it cannot.
    settings.EVALUATION_RUNNER = "inline" if in_memory else "process"


def test_an_analyst_evaluates_a_programme(page: Any, sign_in: Any, evaluation_settings: None) -> None:
    sign_in(Role.ANALYST)
    page.get_by_role("link", name="Evaluation").first.click()
    assert page.get_by_role("heading", name="Evaluate a programme").is_visible()
    assert_accessible(page)

    # A typo is named, with the key, in the error summary.
    page.get_by_text("For experts: evaluate from a configuration file").click()
    textarea = page.get_by_label("Configuration")
    example = textarea.input_value()
    assert "programme_cost_per_person: 1500" in example
    textarea.fill(example.replace("caliper: 0.2", "calipr: 0.2"))
    page.get_by_role("button", name="Start evaluation").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert page.get_by_role("link", name="matching.calipr: unknown key (check the spelling)").is_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    # The example configuration, as offered, on the planted data in the evaluation data folder.
    page.get_by_label("Configuration").fill(example)
    page.get_by_role("button", name="Start evaluation").click()
    page.wait_for_url("**/evaluation/*/")
    if page.get_by_text("This page updates itself every 3 seconds").count():
        assert page.get_by_role("heading", name="Progress").is_visible()
        assert_accessible(page)
    # The page refreshes itself (no JavaScript) until the job has finished.
    page.get_by_role("heading", name="Evaluation finished").wait_for(timeout=300_000)
    assert_accessible(page)
    assert "For 100 typical people in the treatment group" in page.locator("#headline").inner_text()
    effects = page.get_by_role(
        "table", name="Effect of the programme (treatment group minus comparison group)"
    )
    assert effects.get_by_role(
        "rowheader", name="Proven reoffending rate (one year) (per 100 people)"
    ).is_visible()
    # Beside each matched difference, the adjusted (doubly robust) one with its interval, and what each adds.
    assert effects.get_by_role("columnheader", name="Adjusted difference (doubly robust)").is_visible()
    assert effects.get_by_role("columnheader", name="Adjusted 95% confidence interval").is_visible()
    assert "Also adjusts for every covariate by regression" in page.locator("#estimators").inner_text()
    balance = page.get_by_role(
        "table",
        name="Balance before and after matching: standardised mean differences (the numbers of the "
        "report's love plot) and variance ratios",
    )
    assert balance.is_visible()
    assert balance.get_by_role("columnheader", name="Variance ratio after matching").is_visible()
    distance = balance.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="distance (logit PS)")
    )
    assert distance.get_by_role("cell").nth(3).inner_text().replace(".", "", 1).isdigit()
    assert "Effective sample size after matching:" in page.locator("#effective-sizes").inner_text()
    assert page.get_by_text("Per person treated, the estimated cost of crime avoided").is_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Full report (PDF)").click()
    assert download.value.suggested_filename.endswith("report.pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    page.get_by_role("link", name="All evaluations").click()
    assert page.get_by_role("link", name="IOM neighbourhood crime cohort, 2022 starts").is_visible()
    assert page.get_by_text("Finished").first.is_visible()


def test_an_analyst_cancels_a_run_they_started(page: Any, sign_in: Any, evaluation_settings: None) -> None:
    from openiom.evaluation import services
    from tests.evaluation.web import config_text

    analyst = sign_in(Role.ANALYST)
    # Queued and not launched: it stays in progress until the analyst cancels it.
    run = services.evaluation_run_create(user=analyst, config_text=config_text())
    page.goto(f"/evaluation/{run.pk}/?refresh=off")
    assert page.get_by_role("heading", name="Progress").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Cancel this evaluation").click()
    page.wait_for_url(f"**/evaluation/{run.pk}/")
    assert page.get_by_role("heading", name="The evaluation was cancelled").is_visible()
    assert "Cancelled by Test Analyst." in page.locator("#run-message").inner_text()
    assert page.get_by_role("button", name="Cancel this evaluation").count() == 0
    assert_accessible(page)


def test_an_analyst_evaluates_the_schemes_adopted_cases(page: Any, evaluation_settings: None) -> None:
    """No configuration and no file: the treated group is chosen from the scheme's cases."""
    built = cases_world.build(pool=200, username="analyst.browser")
    sign_in_as(page, built["analyst"].username, cases_world.PASSWORD)
    page.goto("/evaluation/")
    assert page.get_by_role("heading", name="Evaluate the scheme's adopted cases").is_visible()
    assert page.get_by_label("Configuration").is_hidden()  # the expert route, folded away
    assert page.get_by_role("checkbox", name="Fixed").is_checked()
    assert_accessible(page)

    # An end before the start is named, with its field, in the error summary.
    page.get_by_label("Adopted on or after").fill("2021-06-01")
    page.get_by_label("Adopted on or before").fill("2021-01-01")
    page.get_by_role("button", name="Evaluate these cases").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    link = page.get_by_role("link", name="The last adoption date must be on or after the first")
    assert link.is_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_cases-adopted_to"

    page.get_by_label("Title (optional)").fill("Example IOM, 2021 intake")
    page.get_by_label("Adopted on or after").fill(cases_world.START.isoformat())
    page.get_by_label("Adopted on or before").fill(cases_world.END.isoformat())
    page.get_by_role("checkbox", name="Number of proven reoffences").check()
    page.get_by_role("button", name="Evaluate these cases").click()
    page.wait_for_url("**/evaluation/*/")
    page.get_by_role("heading", name="Evaluation finished").wait_for(timeout=300_000)
    assert_accessible(page)
    assert page.locator("#headline").inner_text()
    page.get_by_role("link", name="All evaluations").click()
    assert page.get_by_role("link", name="Example IOM, 2021 intake").is_visible()
