"""The fairness section of a cohort analysis: computed by the job, shown with a chart and tables,
in the CSV, and never a count below the suppression threshold."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from openiom.accounts.roles import Role
from openiom.evaluation.models import EvaluationRun
from tests.cohorts.test_views import analyse, load_world, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_inline(settings: Any, tmp_path: Path) -> None:
    settings.EVALUATION_RUNNER = "inline"
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path)


def _safe(value: str) -> bool:
    return value in ("", "withheld", "fewer than 5") or int(value) == 0 or int(value) >= 5


def test_the_results_show_who_each_definition_selects_without_small_counts() -> None:
    load_world()  # 12 people with no ethnicity recorded; 6 of the 11 offenders selected
    client = signed_in(Role.ANALYST)
    page = analyse(client, {"as_of": "2025-12-31", "definitions": ["persistent-six-convictions"]})
    text = page.content.decode()
    assert "Who each definition selects" in text and 'id="fairness-0-title"' in text
    assert "Not recorded" in text and "Against the offending population" in text
    assert "Selection rate ratios by ethnic group among offenders, every definition" in text
    run = EvaluationRun.objects.get()
    saved = run.summary["fairness"]["definitions"][0]
    sex = {r["group"]: r for r in saved["rows"] if r["dimension"] == "sex"}
    assert (sex["M"]["selected"], sex["M"]["base"], sex["M"]["note"]) == (6, 11, "reference")
    response = client.get(f"/cohorts/jobs/{run.pk}/cohort-analysis.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    fair = [r for r in rows if r[0] == "fairness"]
    assert ["fairness", "persistent-six-convictions@1", "offenders/sex/M/selected", "6"] in fair
    counts = [r[3] for r in fair if r[2].endswith(("/selected", "/base"))]
    assert counts and all(_safe(v) for v in counts)


def test_the_panels_adoptions_are_compared_with_the_definitions_candidates() -> None:
    import datetime as dt

    from openiom.access.models import Scheme
    from openiom.cases.models import Case, CaseStatus, PanelDecision
    from openiom.cohorts.models import Candidate, CohortRun
    from openiom.people.models import Person

    load_world()
    client = signed_in(Role.ANALYST)
    scheme = Scheme.objects.create(code="S9", name="South IOM", region="South")
    run = CohortRun.objects.create(
        run_id="r" * 32,
        definition_id="persistent-six-convictions",
        definition_version="1",
        definition_title="Six",
        definition_source="test",
        definition_sha256="0" * 64,
        as_of=dt.date(2025, 12, 31),
        engine="duckdb",
        snapshot_id="s" * 16,
    )
    # All 12 people were candidates; the panel adopted 6 of them.
    for index, person in enumerate(Person.objects.order_by("source_id")):
        candidate = Candidate.objects.create(run=run, person=person, summary="six convictions")
        if index % 2 == 0:
            case = Case.objects.create(scheme=scheme, person=person, status=CaseStatus.ACTIVE)
            PanelDecision.objects.create(
                case=case, decision="adopt", rationale="test", candidate=candidate, effective_on=run.as_of
            )
    page = analyse(client, {"as_of": "2025-12-31", "definitions": ["persistent-six-convictions"]})
    assert "Panel adoptions against candidates" in page.content.decode()
    rows = EvaluationRun.objects.get().summary["fairness"]["definitions"][0]["rows"]
    panel = {r["dimension"]: r for r in rows if r["comparison"] == "candidates" and r["group"] == "M"}
    assert (panel["sex"]["selected"], panel["sex"]["base"]) == (6, 12)


def test_a_resident_table_uploaded_with_the_analysis_is_checked_and_compared() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    load_world()
    client = signed_in(Role.ANALYST)
    query = {"as_of": "2025-12-31", "definitions": ["persistent-six-convictions"]}
    bad = SimpleUploadedFile("pop.csv", b"dimension,group,population\nsex,M,lots\n", content_type="text/csv")
    refused = client.post("/cohorts/", query | {"residents": bad})
    assert refused.status_code == 200 and not EvaluationRun.objects.exists()
    assert (
        "pop.csv: row 2, population: &#x27;lots&#x27; is not a whole number of people"
        in refused.content.decode()
    )
    good = SimpleUploadedFile("pop.csv", b"dimension,group,population\nsex,M,5000\n", content_type="text/csv")
    started = client.post("/cohorts/", query | {"residents": good})
    assert started.status_code == 302
    page = client.get(started["Location"]).content.decode()
    assert "Against the resident population" in page
    run = EvaluationRun.objects.get()
    assert run.config["residents"] == {"name": "pop.csv", "table": {"sex": {"M": 5000}}}
    rows = run.summary["fairness"]["definitions"][0]["rows"]
    men = next(r for r in rows if r["comparison"] == "residents")
    assert (men["group"], men["selected"], men["base"], men["note"]) == ("M", 6, 5000, "reference")
