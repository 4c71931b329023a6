"""The Performance pages on the application database: figures, comparison, access and audit."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cases.models import Case
from openiom.evaluation.models import EvaluationRun, RunStatus
from openiom.performance import selectors
from tests.conftest import CLI_PASSWORD, iom
from tests.performance.conftest import Scheme


def client_for(scheme: Scheme, role: Role) -> Client:
    client = Client()
    client.force_login(scheme.world.users[role])
    return client


def test_the_dashboard_shows_the_naive_fall_beside_the_comparison_group(scheme: Scheme) -> None:
    response = client_for(scheme, Role.COORDINATOR).get("/performance/")
    page = response.content.decode()
    assert response.status_code == 200
    # Managed: 4 before, 1 after (-3); comparison: 4 before, 3 after (-1); 1 of 3 would have happened anyway.
    assert "about 33% of the fall would probably have happened anyway" in page
    assert "The difference-in-differences is -2.00 per person" in page
    assert "PERFNAME" not in page  # aggregates only
    assert AuditEvent.objects.filter(
        action="performance.view", object_id=str(scheme.world.scheme.pk)
    ).exists()


def test_figures_count_only_the_people_the_user_may_see(scheme: Scheme) -> None:
    figures = selectors.dashboard(scheme.world.users[Role.COORDINATOR], scheme.world.scheme, months=12)
    proven = figures.comparison("proven")
    assert proven is not None and proven.comparison is not None
    assert proven.managed.people == 4 and proven.comparison.people == 4
    # The world's own case was adopted today: its after window is partial and it is left out.
    assert figures.diagnostics.partial == {"managed": 1}
    assert proven.managed.total_before == 16 and proven.managed.total_after == 4
    harm = figures.comparison("harm")
    assert harm is not None and harm.managed.total_before > 0  # burglary has a harm weight


def test_without_a_comparison_group_the_page_says_so_and_points_to_an_evaluation(scheme: Scheme) -> None:
    from openiom.cohorts.models import Candidate

    Candidate.objects.filter(person__in=scheme.comparison).delete()
    page = client_for(scheme, Role.ANALYST).get("/performance/?months=6").content.decode()
    assert "There is no comparison group" in page
    assert 'href="/evaluation/"' in page


def test_the_figures_download_as_csv(scheme: Scheme) -> None:
    response = client_for(scheme, Role.COORDINATOR).get("/performance/figures.csv?scheme=S1")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    proven = [r for r in rows if r["measure"] == "proven" and r["basis"] == "count"]
    assert [(r["group"], r["total_before"], r["total_after"]) for r in proven] == [
        ("managed", "16.0", "4.0"),
        ("comparison", "16.0", "12.0"),
    ]
    assert float(proven[0]["did"]) == pytest.approx(-2.0)


def test_another_schemes_figures_are_not_found(scheme: Scheme) -> None:
    client = client_for(scheme, Role.COORDINATOR)
    assert client.get("/performance/?scheme=S2").status_code == 404
    assert client.get("/performance/figures.csv?scheme=S2").status_code == 404


def test_a_bad_window_length_falls_back_to_twelve_months(scheme: Scheme) -> None:
    page = client_for(scheme, Role.COORDINATOR).get("/performance/?months=7").content.decode()
    assert "12 months before and after" in page


def test_quality_drill_down_names_cases_by_pseudonym_for_analysts(scheme: Scheme) -> None:
    analyst = (
        client_for(scheme, Role.ANALYST)
        .get("/performance/quality/?indicator=plan_requirements")
        .content.decode()
    )
    assert "PERFNAME" not in analyst and "Cases to look at" in analyst
    coordinator = (
        client_for(scheme, Role.COORDINATOR)
        .get("/performance/quality/?indicator=plan_requirements")
        .content.decode()
    )
    assert "PERFNAME000" in coordinator
    assert f'href="/cases/{scheme.managed[0].pk}/"' in coordinator


def test_the_case_panel_shows_the_persons_own_windows(scheme: Scheme) -> None:
    panel = selectors.case_panel(scheme.managed[0])
    rows = {r["window"]: r for r in panel.rows}
    assert rows["before"]["proven"] == 4 and rows["after"]["proven"] == 1
    assert not rows["after"]["partial"]
    waiting = Case.objects.get(person=scheme.comparison[0])
    assert selectors.case_panel(waiting).rows == []


def test_the_report_runs_as_a_background_job_and_downloads(
    scheme: Scheme, settings: Any, tmp_path: Path
) -> None:
    settings.EVALUATION_RUNNER = "inline"
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path)
    quarter = _quarter_of(timezone.localdate() - timedelta(days=100))
    client = client_for(scheme, Role.COORDINATOR)
    response = client.post("/performance/?scheme=S1", {"quarter": quarter})
    run = EvaluationRun.objects.get(config__job="performance_report")
    assert response.status_code == 302 and response["Location"] == f"/performance/reports/{run.pk}/"
    assert run.status == RunStatus.SUCCEEDED, run.message
    page = client.get(f"/performance/reports/{run.pk}/").content.decode()
    assert "Download the report (PDF)" in page
    pdf = client.get(f"/performance/reports/{run.pk}/report.pdf")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    html = b"".join(client.get(f"/performance/reports/{run.pk}/report.html").streaming_content)  # type: ignore[attr-defined]
    assert b"would probably have happened anyway" in html and b"PERFNAME" not in html


def test_a_report_for_a_quarter_with_no_data_says_so(scheme: Scheme, settings: Any, tmp_path: Path) -> None:
    settings.EVALUATION_RUNNER = "inline"
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path)
    client = client_for(scheme, Role.COORDINATOR)
    client.post("/performance/?scheme=S1", {"quarter": "2001Q1"})
    run = EvaluationRun.objects.get(config__job="performance_report")
    assert run.status == RunStatus.FAILED
    assert "No data for S1 in 2001Q1" in run.message
    assert "No data for S1 in 2001Q1" in client.get(f"/performance/reports/{run.pk}/").content.decode()


def test_a_bad_quarter_is_an_error_on_the_page(scheme: Scheme) -> None:
    page = (
        client_for(scheme, Role.COORDINATOR)
        .post("/performance/?scheme=S1", {"quarter": "Q3 2026"})
        .content.decode()
    )
    assert "is not a quarter such as 2026Q3" in page
    assert not EvaluationRun.objects.filter(config__job="performance_report").exists()


def test_an_evaluation_run_is_not_a_report(scheme: Scheme) -> None:
    client = client_for(scheme, Role.COORDINATOR)
    response = client.get(f"/performance/reports/{scheme.world.evaluation_run.pk}/report.pdf")
    assert response.status_code == 302


def test_the_report_command(scheme: Scheme, tmp_path: Path) -> None:
    user = scheme.world.users[Role.COORDINATOR]
    user.set_password(CLI_PASSWORD)
    user.save()
    quarter = _quarter_of(timezone.localdate() - timedelta(days=100))
    done: Any = iom(
        ["performance", "report", "--scheme", "S1", "--quarter", quarter, "--out", str(tmp_path)], user=user
    )
    assert done.exit_code == 0, done.output
    assert (tmp_path / "performance-report.pdf").read_bytes().startswith(b"%PDF")
    assert "proven" in (tmp_path / "performance-figures.csv").read_text()
    empty: Any = iom(
        ["performance", "report", "--scheme", "S1", "--quarter", "2001Q1", "--out", str(tmp_path / "e")],
        user=user,
    )
    assert empty.exit_code != 0 and "No data for S1 in 2001Q1" in empty.output
    assert not (tmp_path / "e").exists()
    bad: Any = iom(
        ["performance", "report", "--scheme", "S1", "--quarter", "2026-3", "--out", str(tmp_path)], user=user
    )
    assert bad.exit_code != 0 and "is not a quarter such as 2026Q3" in bad.output
    other: Any = iom(
        ["performance", "report", "--scheme", "S2", "--quarter", quarter, "--out", str(tmp_path)], user=user
    )
    assert other.exit_code != 0 and "not a member" in other.output
    police = scheme.world.users[Role.POLICE_OFFICER]
    police.set_password(CLI_PASSWORD)
    police.save()
    refused: Any = iom(
        ["performance", "report", "--scheme", "S1", "--quarter", quarter, "--out", str(tmp_path)], user=police
    )
    assert refused.exit_code != 0 and "may not do this" in refused.output


def _quarter_of(day: Any) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def test_the_case_page_shows_the_before_and_after_panel(scheme: Scheme) -> None:
    page = (
        client_for(scheme, Role.PROBATION_PRACTITIONER)
        .get(f"/cases/{scheme.managed[0].pk}/")
        .content.decode()
    )
    assert "Offending before and after adoption" in page
    assert "12 months before and after adoption on" in page
