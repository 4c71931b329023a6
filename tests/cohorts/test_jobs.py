"""Cohort analyses run as background jobs: the request only records the job and redirects; the job
process copies the analyst's people into DuckDB and runs the rules; the page follows its progress."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from openiom.accounts.roles import Role
from openiom.evaluation.models import EvaluationRun, RunStatus
from tests.cohorts.test_views import analyse, load_world, signed_in

pytestmark = pytest.mark.django_db
QUERY = {"as_of": "2025-12-31", "definitions": ["persistent-six-convictions"]}


@pytest.fixture(autouse=True)
def _jobs_inline(settings: Any, tmp_path: Path) -> None:
    settings.EVALUATION_RUNNER = "inline"
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path)


def test_the_csv_has_the_numbers_of_the_page() -> None:
    load_world()
    client = signed_in(Role.ANALYST)
    page = analyse(client, QUERY)
    run = EvaluationRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED and run.step == run.step_count == 7
    assert "Download every number (CSV)" in page.content.decode()
    listed = client.get("/cohorts/").content.decode()
    assert "Analyses you started" in listed and f"/cohorts/jobs/{run.pk}/" in listed
    response = client.get(f"/cohorts/jobs/{run.pk}/cohort-analysis.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert ["sizes", "persistent-six-convictions@1", "selected", "6"] in rows
    assert ["concentration", "", "offences", "66"] in rows


def test_another_users_job_is_not_found() -> None:
    load_world()
    analyse(signed_in(Role.ANALYST), QUERY)
    run = EvaluationRun.objects.get()
    other = signed_in(Role.ANALYST, username="t.another")
    assert other.get(f"/cohorts/jobs/{run.pk}/").status_code == 404
    assert other.get(f"/cohorts/jobs/{run.pk}/cohort-analysis.csv").status_code == 404


def test_a_queued_job_shows_its_steps_and_can_be_cancelled() -> None:
    # Recorded but not launched: the page as it is while the job waits for its process.
    from openiom.evaluation.services import evaluation_run_execute

    load_world()
    client = signed_in(Role.ANALYST)
    import datetime as dt

    from openiom.accounts.models import User
    from openiom.cohorts.jobs import analysis_create

    run = analysis_create(
        user=User.objects.get(username="t.analyst"), as_of=dt.date(2025, 12, 31), definitions=[]
    )
    page = client.get(f"/cohorts/jobs/{run.pk}/")
    text = page.content.decode()
    assert page["Refresh"] == "2" and "Waiting for the background job to start" in text
    assert "selecting people with each definition" in text and "Cancel this analysis" in text
    assert client.post(f"/cohorts/jobs/{run.pk}/cancel").status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert evaluation_run_execute(run.pk).status == RunStatus.CANCELLED  # the job then does nothing
    assert "The analysis was cancelled" in client.get(f"/cohorts/jobs/{run.pk}/").content.decode()


def test_the_limit_on_jobs_per_user_refuses_one_more(settings: Any) -> None:
    settings.JOBS_PER_USER = 1
    load_world()
    client = signed_in(Role.ANALYST)
    from openiom.accounts.models import User

    EvaluationRun.objects.create(
        created_by=User.objects.get(username="t.analyst"), title="waiting", config={"job": "cohort_analysis"}
    )
    response = client.post("/cohorts/", QUERY)
    assert response.status_code == 200
    assert (
        "You already have 1 analyses or reports waiting or running (the limit is 1)"
        in response.content.decode()
    )
    assert EvaluationRun.objects.count() == 1


def test_the_limit_overall_refuses_one_more(settings: Any) -> None:
    settings.JOBS_OVERALL = 1
    load_world()
    from openiom.accounts.models import User

    signed_in(Role.ANALYST, username="t.first")
    EvaluationRun.objects.create(created_by=User.objects.get(username="t.first"), title="waiting", config={})
    response = signed_in(Role.ANALYST).post("/cohorts/", QUERY)
    assert (
        "1 analyses or reports are waiting or running on the server (the limit is 1)"
        in response.content.decode()
    )


def test_the_page_and_the_results_say_how_many_people_the_scope_hides() -> None:
    load_world()
    elsewhere = signed_in(Role.ANALYST, systems=("OTHERFORCE",), username="t.elsewhere")
    form = elsewhere.get("/cohorts/").content.decode()
    assert "You may analyse 0 of the 12 people in this system" in form
    results = analyse(elsewhere, QUERY).content.decode()
    assert "0 of the 12 people in this system were analysed" in results
    assert "You may analyse" not in signed_in(Role.ANALYST).get("/cohorts/").content.decode()


REQUEST_SCRIPT = """
import sys, time
from django.test import Client
from django.test.utils import setup_test_environment
from openiom.accounts.roles import Role
from openiom.evaluation.models import EvaluationRun
from tests.cohorts.test_views import load_world, signed_in
load_world()
client = signed_in(Role.ANALYST)
cold = time.monotonic()
assert client.get("/cohorts/").status_code == 200  # the worker's first request loads the views
cold = time.monotonic() - cold
started = time.monotonic()
response = client.post("/cohorts/", {"as_of": "2025-12-31"})
took = time.monotonic() - started
engine = sorted(m for m in ("duckdb", "openiom.cohorts.engine.snapshot", "openiom.cohorts.jobs.analysis") if m in sys.modules)
run = EvaluationRun.objects.get()
status_at_redirect = run.status
deadline = time.monotonic() + 240
while time.monotonic() < deadline:
    run.refresh_from_db()
    if run.finished:
        break
    time.sleep(0.3)
import os
print(f"first-request={cold:.2f}", file=sys.stderr)
print(response.status_code, response["Location"], f"{took:.2f}", ",".join(engine) or "-", status_at_redirect,
      run.worker_pid != os.getpid(), run.status, run.summary.get("sizes", [{}])[0].get("size"))
"""


@pytest.mark.slow
@pytest.mark.django_db(transaction=False)
def test_no_analysis_runs_inside_the_request(tmp_path: Path) -> None:
    """A real web process (Django's test client in a fresh Python on a SQLite file) and a real job
    process: the POST answers with a redirect at once, without DuckDB or the snapshot ever being
    imported in the web process; the job process then carries out the analysis."""
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openiom.config.settings",
        "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)]),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
        "OPENIOM_DATA_DIR": str(tmp_path),
        "OPENIOM_ALLOWED_HOSTS": "testserver",
    }
    django = [sys.executable, "-m", "django"]
    subprocess.run([*django, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    done = subprocess.run(
        [*django, "shell", "-c", REQUEST_SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    code, location, took, engine, at_redirect, other_process, status, size = done.stdout.split()[-8:]
    assert code == "302" and location.startswith("/cohorts/jobs/"), done.stdout
    assert float(took) < 3, f"the request took {took} s ({done.stderr.strip()})"
    assert engine == "-", f"imported in the web process: {engine}"
    assert at_redirect in ("queued", "running") and other_process == "True"
    assert status == "succeeded", done.stdout + done.stderr
    assert size is not None


@pytest.mark.parametrize("error", [OSError, RuntimeError])
def test_a_failed_job_names_the_file_never_the_server_path(error: type[Exception], monkeypatch: Any) -> None:
    import openiom.cohorts.selectors as cohort_selectors

    def broken_snapshot(**_: Any) -> Any:
        raise error("IO Error: cannot open /srv/openiom/private/extracts/people.parquet in /var/lib/openiom/")

    monkeypatch.setattr(cohort_selectors, "app_database_snapshot", broken_snapshot)
    load_world()
    client = signed_in(Role.ANALYST)
    page = analyse(client, QUERY).content.decode()
    run = EvaluationRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert "people.parquet" in run.message and "people.parquet" in page
    assert "/srv" not in run.message + page and "/var/lib" not in run.message + page
