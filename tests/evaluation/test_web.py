"""The evaluation pages: start a run, follow it, read the results, download the report; who may see what."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from openiom.access.models import Scheme, SchemeMembership
from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.audit.models import AuditEvent
from openiom.evaluation import services
from openiom.evaluation.models import EvaluationRun, RunStatus
from openiom.evaluation.selectors import example_config_text
from tests.evaluation.web import PLANTED_EFFECT, config_text

pytestmark = pytest.mark.django_db


def _analyst(username: str, scheme: Scheme | None) -> Any:
    user = user_create(username=username, password="correct horse battery staple", role=Role.ANALYST)
    if scheme is not None:
        SchemeMembership.objects.create(user=user, scheme=scheme)
    return user


@pytest.fixture
def scheme() -> Scheme:
    return Scheme.objects.create(code="S1", name="Example IOM", region="North")


@pytest.fixture
def analyst(scheme: Scheme) -> Any:
    return _analyst("analyst.one", scheme)


@pytest.fixture
def client(analyst: Any) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


def _start(client: Client, text: str, **files: Any) -> Any:
    return client.post("/evaluation/", {"config": text, **files})


def _finish(run: EvaluationRun) -> EvaluationRun:
    """The job, carried out synchronously (the process path is tested below)."""
    return services.evaluation_run_execute(run.pk)


def test_the_page_offers_the_example_configuration(client: Client, evaluation_folders: Any) -> None:
    page = client.get("/evaluation/").content.decode()
    assert "Start an evaluation" in page
    assert "programme_cost_per_person: 1500" in page  # docs/examples/evaluation.yaml, pre-filled
    assert "people.parquet" in page  # the data folder's files are listed
    assert example_config_text().startswith("# Example")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (config_text(matching="\n  ratio: 0"), "matching.ratio: Input should be greater than or equal to 1"),
        (config_text(matching="\n  calipr: 0.1"), "matching.calipr: unknown key (check the spelling)"),
        ("title: [unclosed", "The configuration is not valid YAML"),
        (
            config_text(
                data="\n  people: /etc/passwd\n  events: events.parquet\n  treated: treated.csv\n  covariates: covariates.csv"
            ),
            "data.people: must be a file in the evaluation data folder",
        ),
        (
            config_text(
                data="\n  people: nobody.csv\n  events: events.parquet\n  treated: treated.csv\n  covariates: covariates.csv"
            ),
            "data.people:",
        ),
    ],
)
def test_a_bad_configuration_is_named_and_nothing_is_started(
    client: Client, evaluation_folders: Any, text: str, expected: str
) -> None:
    response = _start(client, text)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "govuk-error-summary" in page
    assert expected in page.replace("&#x27;", "'")
    assert page.count('href="#id_config"') >= 1
    assert EvaluationRun.objects.count() == 0
    assert not evaluation_folders[1].exists() or not any(evaluation_folders[1].iterdir())


def test_a_planted_effect_is_found_through_the_pages(
    client: Client, analyst: Any, evaluation_folders: Any, settings: Any
) -> None:
    run = services.evaluation_run_create(user=analyst, config_text=config_text(), scheme=None)
    running = client.get(f"/evaluation/{run.pk}/")
    assert running.status_code == 200
    assert running["Refresh"] == "3"
    assert "Waiting for the background job to start" in running.content.decode()

    run = _finish(run)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.progress == 100 and run.step == run.step_count == len(services.STEPS)
    proven = next(o for o in run.summary["outcomes"] if o["key"] == "proven_reoffending")
    assert proven["ci_low"] <= PLANTED_EFFECT * 100 <= proven["ci_high"]
    assert proven["conclusive"]

    response = client.get(f"/evaluation/{run.pk}/")
    page = response.content.decode()
    assert "Refresh" not in response
    assert "Evaluation finished" in page
    assert "For 100 typical people in the treatment group" in page
    assert "statistically significant reduction" in page
    assert "Balance before and after matching: standardised mean differences" in page
    assert "distance (logit PS)" in page
    assert "Per person treated, the estimated cost of crime avoided" in page
    for name in ("report.html", "report.pdf", "results.json"):
        assert f"/evaluation/{run.pk}/{name}" in page

    download = client.get(f"/evaluation/{run.pk}/results.json")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    results = json.loads(b"".join(download.streaming_content))
    assert results["title"] == "Planted programme"
    pdf = client.get(f"/evaluation/{run.pk}/report.pdf")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    audited = AuditEvent.objects.filter(object_type="evaluation_run", object_id=str(run.pk))
    assert set(audited.values_list("action", flat=True)) == {
        "evaluation.run",
        "evaluation.view",
        "evaluation.download",
    }
    assert audited.filter(action="evaluation.download").count() == 2


def test_an_uploaded_treated_file_replaces_the_configured_one(
    client: Client, evaluation_folders: Any, settings: Any
) -> None:
    settings.EVALUATION_RUNNER = "inline"
    data_dir, _ = evaluation_folders
    from django.core.files.uploadedfile import SimpleUploadedFile

    # Only the first 100 treated people: the evaluation must say 100, not the 200 of treated.csv.
    lines = (data_dir / "treated.csv").read_text().splitlines()
    upload = SimpleUploadedFile("my-programme.csv", ("\n".join(lines[:101]) + "\n").encode())
    response = _start(
        client,
        config_text(
            data="\n  people: people.parquet\n  events: events.parquet\n  covariates: covariates.csv"
        ),
        treated=upload,
    )
    run = EvaluationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/evaluation/{run.pk}/"
    assert Path(run.config["data"]["treated"]).name == "treated.csv"
    assert Path(run.config["data"]["treated"]).parent == Path(run.output_dir) / "inputs"
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.summary["sample_sizes"]["treated_all"] == 100


def test_an_upload_of_the_wrong_kind_is_refused(client: Client, evaluation_folders: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _start(client, config_text(), treated=SimpleUploadedFile("list.xlsx", b"PK..."))
    assert "The treated people file must be a .csv, .csv.gz or .parquet file" in response.content.decode()
    assert EvaluationRun.objects.count() == 0


def test_too_few_people_is_a_refusal_that_says_why(
    client: Client, analyst: Any, evaluation_folders: Any
) -> None:
    run = _finish(services.evaluation_run_create(user=analyst, config_text=config_text(min_cohort="1000")))
    assert run.status == RunStatus.REFUSED
    page = client.get(f"/evaluation/{run.pk}/").content.decode()
    assert "The evaluation was refused" in page
    assert "the treatment group (with complete follow-up) has 200 people" in page
    assert not (Path(run.output_dir) / "results.json").exists()
    # No report to download: the links lead back to the status page.
    assert client.get(f"/evaluation/{run.pk}/report.pdf")["Location"] == f"/evaluation/{run.pk}/"


def test_bad_data_fails_with_the_row_and_field(
    client: Client, analyst: Any, evaluation_folders: Any, tmp_path: Path
) -> None:
    data_dir, _ = evaluation_folders
    bad = data_dir / "bad-treated.csv"
    bad.write_text("source_id,index_date\nP0000001,2022-13-01\n")
    try:
        text = config_text(
            data="\n  people: people.parquet\n  events: events.parquet\n  treated: bad-treated.csv\n  covariates: covariates.csv"
        )
        run = _finish(services.evaluation_run_create(user=analyst, config_text=text))
    finally:
        bad.unlink()
    assert run.status == RunStatus.FAILED
    assert (
        run.message
        == "bad-treated.csv row 1, field index_date: '2022-13-01' is not a valid date (YYYY-MM-DD)"
    )
    assert "The evaluation could not be completed" in client.get(f"/evaluation/{run.pk}/").content.decode()


def test_runs_are_seen_by_their_scheme_only(analyst: Any, scheme: Scheme, evaluation_folders: Any) -> None:
    run = services.evaluation_run_create(user=analyst, config_text=config_text(), scheme=scheme)
    colleague = _analyst("analyst.two", scheme)
    elsewhere = _analyst("analyst.three", Scheme.objects.create(code="S2", name="Other IOM", region="South"))
    alone = _analyst("analyst.four", None)
    for user, visible in ((colleague, True), (elsewhere, False), (alone, False)):
        client = Client()
        client.force_login(user)
        expected = 200 if visible else 404
        assert client.get(f"/evaluation/{run.pk}/").status_code == expected, user
        assert client.get(f"/evaluation/{run.pk}/results.json").status_code == (302 if visible else 404)
        assert (run.title in client.get("/evaluation/").content.decode()) is visible
    client = Client()
    client.force_login(analyst)
    assert client.get("/evaluation/999999/").status_code == 404
    assert client.get("/evaluation/999999/report.html").status_code == 404


def test_a_job_that_died_is_reported_as_failed(analyst: Any, client: Client, evaluation_folders: Any) -> None:
    run = services.evaluation_run_create(user=analyst, config_text=config_text())
    # A pid that cannot be running: beyond the kernel's limit.
    EvaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, worker_pid=2**22 + 1)
    page = client.get(f"/evaluation/{run.pk}/").content.decode()
    assert "The background job stopped before the evaluation finished" in page
    assert EvaluationRun.objects.get(pk=run.pk).status == RunStatus.FAILED


def _wait(run: EvaluationRun, seconds: float = 180) -> EvaluationRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.finished:
            return run
        time.sleep(0.5)
    raise AssertionError(f"run {run.pk} did not finish in {seconds} s: {run.status} {run.step_text}")


@pytest.mark.slow
@pytest.mark.application_postgres
@pytest.mark.django_db(transaction=True)
def test_the_job_runs_in_a_separate_process(analyst: Any, evaluation_folders: Any, settings: Any) -> None:
    # SQLite's in-memory test database cannot be opened by another process; the SQLite pass
    # deselects this test and test_the_job_runs_in_a_separate_process_on_sqlite covers SQLite.
    assert connection.vendor == "postgresql", "run with DATABASE_URL pointing at PostgreSQL"
    settings.EVALUATION_RUNNER = "process"
    client = Client()
    client.force_login(analyst)
    response = _start(client, config_text())
    run = EvaluationRun.objects.get()
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.worker_pid is not None
    run = _wait(run)
    assert run.status == RunStatus.SUCCEEDED, run.message + (Path(run.output_dir) / "job.log").read_text()
    assert (Path(run.output_dir) / "report.pdf").is_file()


SQLITE_SCRIPT = """
import time
from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.evaluation import services
from tests.evaluation.web import config_text
user = user_create(username="analyst.sqlite", password="correct horse battery staple", role=Role.ANALYST)
run = services.evaluation_run_create(user=user, config_text=config_text())
services.evaluation_run_launch(run)
seen = set()
deadline = time.monotonic() + 240
while time.monotonic() < deadline:
    run.refresh_from_db()
    seen.add(run.step)
    if run.finished:
        break
    time.sleep(0.2)
print(run.status, run.worker_pid, len(seen), run.message)
"""


@pytest.mark.slow
def test_the_job_runs_in_a_separate_process_on_sqlite(planted_data: Path, tmp_path: Path) -> None:
    """A web process and the job process sharing a SQLite file: the job reports its steps as it goes."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openiom.config.settings",
        "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)]),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
        "OPENIOM_DATA_DIR": str(tmp_path),
        "OPENIOM_EVALUATION_DATA_DIR": str(planted_data),
    }
    django = [sys.executable, "-m", "django"]
    subprocess.run([*django, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    done = subprocess.run(
        [*django, "shell", "-c", SQLITE_SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    status, pid, steps_seen, *_ = done.stdout.strip().splitlines()[-1].split()
    assert status == "succeeded", done.stdout
    assert pid != "None" and int(steps_seen) > 1
    assert len(list((tmp_path / "evaluations").glob("*/report.pdf"))) == 1


def test_an_analyst_of_two_schemes_chooses_which_sees_the_run(
    analyst: Any, client: Client, evaluation_folders: Any, settings: Any
) -> None:
    settings.EVALUATION_RUNNER = "inline"
    second = Scheme.objects.create(code="S3", name="Second IOM", region="East")
    SchemeMembership.objects.create(user=analyst, scheme=second)
    assert 'id="id_scheme"' in client.get("/evaluation/").content.decode()
    missing = _start(client, config_text(min_cohort="1000")).content.decode()
    assert (
        "Select the scheme whose analysts may see the evaluation" in missing
        and EvaluationRun.objects.count() == 0
    )
    client.post("/evaluation/", {"config": config_text(min_cohort="1000"), "scheme": second.pk})
    assert EvaluationRun.objects.get().scheme == second


def test_the_person_who_started_a_run_can_cancel_it_and_the_job_then_does_nothing(
    analyst: Any, scheme: Scheme, client: Client, evaluation_folders: Any
) -> None:
    run = services.evaluation_run_create(user=analyst, config_text=config_text(), scheme=scheme)
    colleague = Client()
    colleague.force_login(_analyst("analyst.two", scheme))
    assert "Cancel this evaluation" in client.get(f"/evaluation/{run.pk}/").content.decode()
    assert "Cancel this evaluation" not in colleague.get(f"/evaluation/{run.pk}/").content.decode()
    assert colleague.post(f"/evaluation/{run.pk}/cancel").status_code == 403
    assert client.get(f"/evaluation/{run.pk}/cancel").status_code == 405
    response = client.post(f"/evaluation/{run.pk}/cancel")
    assert response.status_code == 302 and response["Location"] == f"/evaluation/{run.pk}/"
    page = client.get(f"/evaluation/{run.pk}/").content.decode()
    assert "The evaluation was cancelled" in page and "Cancelled by analyst.one." in page
    assert "Cancel this evaluation" not in page
    run = _finish(run)  # the job starting late finds the run cancelled and leaves it
    assert run.status == RunStatus.CANCELLED and run.started_at is None
    assert AuditEvent.objects.filter(action="evaluation.cancel", object_id=str(run.pk)).count() == 1
    client.post(f"/evaluation/{run.pk}/cancel")  # cancelling a finished run changes nothing
    assert AuditEvent.objects.filter(action="evaluation.cancel").count() == 1


def test_a_run_cancelled_while_running_stops_at_its_next_step(
    analyst: Any, evaluation_folders: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = services.evaluation_run_create(user=analyst, config_text=config_text())
    reached = []

    def pipeline(config: Any, progress: Any, case_records: Any = None) -> Any:
        # The real pipeline's first step, a cancellation from the page, then the next step.
        progress(services.STEPS[0])
        reached.append(services.STEPS[0])
        services.evaluation_run_cancel(user=analyst, run=EvaluationRun.objects.get(pk=run.pk))
        progress(services.STEPS[1])
        reached.append(services.STEPS[1])

    monkeypatch.setattr(services, "run_evaluation", pipeline)
    run = _finish(run)
    assert reached == [services.STEPS[0]]
    assert run.status == RunStatus.CANCELLED and run.step == 1 and run.finished_at is not None
    assert not (Path(run.output_dir) / "report.pdf").exists()


@pytest.mark.slow
@pytest.mark.application_postgres
@pytest.mark.django_db(transaction=True)
def test_cancelling_ends_the_job_process(analyst: Any, evaluation_folders: Any, settings: Any) -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL pointing at PostgreSQL"
    settings.EVALUATION_RUNNER = "process"
    run = services.evaluation_run_create(user=analyst, config_text=config_text())
    services.evaluation_run_launch(run)
    assert run.worker_pid is not None and services._process_alive(run.worker_pid)
    assert not services._is_job_of(os.getpid(), run.pk)  # a pid that is not this run's job is left alone
    (job,) = [p for p in services._LAUNCHED if p.pid == run.worker_pid]
    run = services.evaluation_run_cancel(user=analyst, run=run)
    assert job.wait(timeout=30) == -signal.SIGTERM  # ended by the cancellation, not by finishing
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and not (Path(run.output_dir) / "report.pdf").exists()
