"""Evaluation from the scheme's own records: the treated group from the application's adopted cases,
the comparison pool from the never-adopted people of the analyst's scope, no YAML and no server file."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from openiom.access.models import Scheme
from openiom.accounts.services import user_create
from openiom.audit.models import AuditEvent
from openiom.cases.models import Case
from openiom.evaluation import selectors
from openiom.evaluation.models import EvaluationRun, RunStatus
from openiom.people.models import Person
from tests.evaluation import cases_world
from tests.evaluation.cases_world import END, START

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    built = cases_world.build(pool=10)
    client = Client()
    client.force_login(built["analyst"])
    return {**built, "client": client}


def _post(client: Client, scheme: Scheme, **fields: Any) -> Any:
    return client.post("/evaluation/", cases_world.form_data(scheme, **fields))


def test_the_page_offers_the_cases_form_without_a_file(world: dict[str, Any]) -> None:
    page = world["client"].get("/evaluation/").content.decode().replace("&#x27;", "'")
    assert "Evaluate the scheme's adopted cases" in page
    assert 'name="cases-adopted_from"' in page and 'type="date"' in page
    assert "Example IOM" in page and "Other IOM" not in page  # only the analyst's own schemes


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"adopted_from": "2021-06-01", "adopted_to": "2021-01-01"}, "adopted_to", "on or after the first"),
        ({"adopted_to": "2099-01-01"}, "adopted_to", "today or in the past"),
        ({"data_end": "2099-01-01"}, "data_end", "today or in the past"),
        (
            {"adopted_from": "2019-01-01", "adopted_to": "2019-12-31"},
            "adopted_from",
            "No case of Example IOM",
        ),
        ({"streams": ["flex"]}, "adopted_from", "No case of Example IOM"),
        ({"adopted_from": "not a date"}, "adopted_from", "as a real date"),
        ({"streams": []}, "streams", "Select at least one cohort stream"),
        ({"data_end": "2022-09-01"}, "adopted_to", "have had their whole follow-up"),
        ({}, "scheme", "Only 10 people of the scheme's area who were never adopted"),
    ],
)
def test_bad_choices_are_named_and_nothing_is_started(
    world: dict[str, Any], fields: dict[str, Any], field: str, message: str
) -> None:
    response = _post(world["client"], world["scheme"], **fields)
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert message in page
    assert "There is a problem" in page and f'href="#id_cases-{field}' in page
    assert EvaluationRun.objects.count() == 0


def test_a_scheme_outside_the_analysts_scope_cannot_be_chosen(world: dict[str, Any]) -> None:
    page = _post(world["client"], world["other"]).content.decode()
    assert "Select a valid choice" in page
    assert EvaluationRun.objects.count() == 0


def test_a_run_from_cases_goes_through_the_job_to_the_result_page(
    world: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.EVALUATION_RUNNER = "inline"
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path / "runs")
    Case.objects.filter(person__source_id="P0").update(stream="flex")  # a stream not chosen: left out
    cases_world.add_pool(200, 200)  # enough people to compare with
    response = _post(world["client"], world["scheme"], streams=["fixed"], title="2021 intake")
    run = EvaluationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/evaluation/{run.pk}/"
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.title == "2021 intake" and run.created_by == world["analyst"]
    assert run.summary["sample_sizes"]["treated_all"] == cases_world.ADOPTED - 1
    treated = (Path(run.output_dir) / "inputs" / "treated.csv").read_text().splitlines()
    assert len(treated) == cases_world.ADOPTED  # header and 64 people
    page = world["client"].get(f"/evaluation/{run.pk}/").content.decode()
    assert "Evaluation finished" in page
    assert AuditEvent.objects.filter(action="evaluation.run", object_id=str(run.pk)).exists()


def test_the_selectors_keep_to_the_scope_and_leave_adopted_people_out(world: dict[str, Any]) -> None:
    analyst, scheme = world["analyst"], world["scheme"]
    outside = cases_world.person(500, system="ELSEWHERE")
    cases_world.caution(outside, 1, START + timedelta(days=40))
    cases = selectors.cases_adopted(
        analyst, scheme=scheme, streams=["fixed"], adopted_from=START, adopted_to=END
    )
    assert cases.count() == 65
    pool = selectors.comparison_people(analyst)
    assert outside not in pool
    assert not pool.filter(iom_cases__isnull=False).exists()
    assert selectors.comparison_with_index_event(analyst, START, END) == 10
    assert selectors.latest_outcome_date(analyst) == date(2024, 6, 1)


# The demo-like area: the synthetic area imported, the demo's users, scheme and evaluation intake.
@pytest.fixture(scope="session")
def synthetic_area(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openiom.web.demo import run_synth

    out = tmp_path_factory.mktemp("area")
    run_synth(people=3000, seed=2026, out=out)
    return out


@pytest.fixture
def demo_like(synthetic_area: Path, settings: Any, tmp_path: Path) -> dict[str, Any]:
    from openiom.access.demo import demo_access_build
    from openiom.evaluation.demo import demo_evaluation_cases_build
    from openiom.imports.services import events_import, people_import
    from openiom.synth.generate import DEFAULT_AS_OF
    from openiom.web.demo import DEMO_SOURCE_SYSTEM, DEMO_USERS

    settings.EVALUATION_OUTPUT_DIR = str(tmp_path / "runs")
    settings.EVALUATION_DATA_DIR = str(tmp_path / "empty-data-folder")  # as in the demo: nothing there
    from openiom.reference.datafiles import builtin_directory
    from openiom.reference.services import reference_dataset_load

    reference_dataset_load(directory=builtin_directory())
    assert people_import(path=synthetic_area / "people.csv").ok
    assert events_import(path=synthetic_area / "events.csv").ok
    for username, role, first, last in DEMO_USERS:
        user_create(
            username=username, password="demo password 1", role=role, first_name=first, last_name=last
        )
    scheme = demo_access_build(source_system=DEMO_SOURCE_SYSTEM, as_of=timezone.localdate())
    adopted = demo_evaluation_cases_build(
        scheme=scheme, records_end=DEFAULT_AS_OF, source_system=DEMO_SOURCE_SYSTEM
    )
    from openiom.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="demo.analyst"))
    return {"scheme": scheme, "adopted": adopted, "client": client}


def test_the_demo_scheme_has_adopted_cases_and_people_to_compare_them_with(demo_like: dict[str, Any]) -> None:
    from openiom.evaluation.demo import intake_period
    from openiom.synth.generate import DEFAULT_AS_OF

    start, end = intake_period(DEFAULT_AS_OF)
    cases = Case.objects.filter(scheme=demo_like["scheme"], start_date__range=(start, end))
    assert demo_like["adopted"] == cases.count() >= 60
    assert set(cases.values_list("stream", flat=True)) == {"fixed", "flex", "free"}
    never_adopted = Person.objects.exclude(iom_cases__start_date__isnull=False)
    assert (
        never_adopted.filter(events__outcome_date__range=(start, end)).distinct().count() > 3 * cases.count()
    )


def test_the_demo_evaluates_its_cases_end_to_end_through_the_job(
    demo_like: dict[str, Any], settings: Any
) -> None:
    from openiom.evaluation.demo import intake_period
    from openiom.synth.generate import DEFAULT_AS_OF

    settings.EVALUATION_RUNNER = "inline"
    start, end = intake_period(DEFAULT_AS_OF)
    client = demo_like["client"]
    response = client.post(
        "/evaluation/",
        {
            "cases-source": "cases",
            "cases-scheme": demo_like["scheme"].pk,
            "cases-streams": ["fixed", "flex", "free"],
            "cases-adopted_from": start.isoformat(),
            "cases-adopted_to": end.isoformat(),
            "cases-outcomes": ["proven_reoffending", "reoffending_frequency"],
        },
    )
    run = EvaluationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/evaluation/{run.pk}/"
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.scheme == demo_like["scheme"] and run.config["source"] == "cases"
    assert run.summary["sample_sizes"]["treated_all"] == demo_like["adopted"]
    results = json.loads((Path(run.output_dir) / "results.json").read_text())
    assert set(results["inputs"]["files"]) == {"people", "events", "treated"}
    assert set(results["outcomes"]) == {"proven_reoffending", "reoffending_frequency"}
    assert results["data"]["comparison_window"] == [start.isoformat(), end.isoformat()]
    # The inputs hold no name or agency identifier.
    people = (Path(run.output_dir) / "inputs" / "people.csv").read_text()
    assert "Synthetic" not in people and "SYNTH" not in people
    page = client.get(f"/evaluation/{run.pk}/").content.decode()
    assert run.summary["headline"][:40] in page.replace("&#x27;", "'")


def test_the_form_offers_only_outcomes_the_pipeline_knows() -> None:
    from openiom.evaluation.config import OUTCOMES
    from openiom.evaluation.forms import OUTCOME_LABELS

    assert set(OUTCOME_LABELS) <= set(OUTCOMES) and "proven_reoffending" in OUTCOME_LABELS


@pytest.mark.slow
@pytest.mark.application_postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_from_cases_is_carried_out_by_the_separate_job_process(settings: Any, tmp_path: Path) -> None:
    """The job process reads the cases and histories itself, as the user who started the run."""
    import time

    from django.db import connection

    assert connection.vendor == "postgresql", "run with DATABASE_URL pointing at PostgreSQL"
    settings.EVALUATION_RUNNER = "process"
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path / "runs")
    built = cases_world.build(pool=200, username="analyst.process")
    client = Client()
    client.force_login(built["analyst"])
    assert client.post("/evaluation/", cases_world.form_data(built["scheme"])).status_code == 302
    run = EvaluationRun.objects.get()
    assert run.worker_pid is not None
    deadline = time.monotonic() + 240
    while not run.finished and time.monotonic() < deadline:
        time.sleep(0.5)
        run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.summary["sample_sizes"]["treated_all"] == cases_world.ADOPTED


def test_a_failed_run_from_cases_sends_the_analyst_back_to_the_cases_form(
    world: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.EVALUATION_RUNNER = "inline"
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path / "runs")
    cases_world.add_pool(200, 200)
    _post(world["client"], world["scheme"], title="2021 intake")
    run = EvaluationRun.objects.get()
    EvaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, message="Too few to match.")
    page = world["client"].get(f"/evaluation/{run.pk}/").content.decode()
    assert "Change the scheme or the adoption period and start again" in page
    assert "#evaluate-cases" in page and "Change the configuration" not in page
