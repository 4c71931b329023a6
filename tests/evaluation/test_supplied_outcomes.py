"""A supplied outcome (employment) evaluated like reoffending, through `iom evaluate` and the web page;
and the balance gate: the headline leads with "not comparable", or the run is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from django.test import Client

from openiom.cli import main
from openiom.evaluation import services
from openiom.evaluation.balance import BalanceRow, comparability_problems
from openiom.evaluation.models import RunStatus
from openiom.evaluation.pipeline import headline
from tests.evaluation.web import config_text, planted_folder

SUPPLIED = {
    "supplied_outcomes": [
        {
            "name": "employed_6m",
            "label": "In employment six months after the start",
            "kind": "binary",
            "phrase": "were in employment six months after the start",
        },
        {"name": "hours_worked", "kind": "numeric", "unit": "hours", "label": "Hours worked in month six"},
    ]
}


def _write_outcomes(folder: Path) -> None:
    """Everyone gets an employment flag; treated people are more often employed (a planted +20 points)."""
    people = pd.read_parquet(folder / "people.parquet")
    treated = set(pd.read_csv(folder / "treated.csv", dtype=str)["source_id"])
    rng = np.random.default_rng(3)
    is_treated = people["source_id"].isin(treated).to_numpy()
    employed = rng.random(len(people)) < np.where(is_treated, 0.5, 0.3)
    hours = np.where(employed, rng.normal(30, 5, len(people)), 0).round(1)
    frame = pd.DataFrame(
        {
            "source_id": people["source_id"],
            "employed_6m": np.where(employed, "yes", "no"),
            "hours_worked": hours,
        }
    )
    frame.loc[5, "hours_worked"] = np.nan  # a missing value leaves that person out of that estimate only
    frame.to_csv(folder / "employment.csv", index=False)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = planted_folder(tmp_path_factory.mktemp("supplied"), people=1500, treated=150)
    _write_outcomes(folder)
    return folder


def _config(folder: Path, **extra: Any) -> Path:
    config = {
        "title": "Employment",
        "data": {
            "people": "people.parquet",
            "events": "events.parquet",
            "treated": "treated.csv",
            "outcomes": "employment.csv",
        },
        "data_end": "2024-12-31",
        "min_cohort": 60,
        "effects": {"aipw": True},
        **SUPPLIED,
        **extra,
    }
    path = folder / f"config-{len(extra)}-{abs(hash(json.dumps(extra, sort_keys=True)))}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.slow
def test_a_supplied_outcome_through_iom_evaluate(data_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["evaluate", str(_config(data_dir)), "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "results.json").read_text())
    employed = results["outcomes"]["employed_6m"]
    assert employed["kind"] == "rate"
    assert employed["estimate"]["ci_low"] <= 0.2 <= employed["estimate"]["ci_high"]
    assert "were in employment six months after the start" in employed["plain_language"]
    assert "reoffen" not in employed["plain_language"]
    assert employed["regression_adjusted"]["difference"] == pytest.approx(0.2, abs=0.15)
    assert employed["aipw"] is not None
    assert employed["e_value"]["e_value"] > 1
    assert any("times likelier" in s for s in employed["sensitivity"])
    assert any("Rosenbaum bounds" in s for s in employed["sensitivity"])
    hours = results["outcomes"]["hours_worked"]
    assert hours["plain_language"].startswith("Hours worked in month six: the treatment group averaged")
    html = (tmp_path / "report.html").read_text()
    assert "In employment six months after the start" in html
    assert "doubly robust" in html


@pytest.mark.slow
def test_unbalanced_groups_lead_the_headline_or_refuse(data_dir: Path, tmp_path: Path) -> None:
    strict = {"balance": {"max_abs_smd": 0.000001}}
    result = CliRunner().invoke(
        main, ["evaluate", str(_config(data_dir, **strict)), "--out", str(tmp_path / "a"), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "a" / "results.json").read_text())
    assert results["headline"].startswith("The groups are not comparable on ")
    assert "Taken at face value: For 100 typical people" in results["headline"]
    assert results["comparability"]["comparable"] is False
    assert result.output.startswith("The groups are not comparable on ")
    html = (tmp_path / "a" / "report.html").read_text()
    assert html.index("The groups are not comparable on") < html.index("Who was compared")

    refuse = {"balance": {"max_abs_smd": 0.000001, "on_failure": "refuse"}}
    refused = CliRunner().invoke(
        main, ["evaluate", str(_config(data_dir, **refuse)), "--out", str(tmp_path / "b"), "--quiet"]
    )
    assert refused.exit_code == 1
    assert "evaluation refused: The groups are not comparable on" in refused.output
    assert not (tmp_path / "b").exists()


def _row(name: str, smd: float, vr: float | None) -> BalanceRow:
    return BalanceRow(name, vr is None, 0.0, 0.0, smd, vr, 0.0, 0.0)


def test_the_balance_gate_checks_smd_variance_ratio_and_effective_size() -> None:
    rows = [_row("age", 0.04, 1.1), _row("prior_sanctions", 0.02, 2.6), _row("sex=M", -0.15, None)]
    problems = comparability_problems(rows, control_ess=41.2, min_ess=60)
    assert problems == [
        "prior_sanctions (variance ratio 2.60)",
        "sex=M (standardised difference -0.15)",
        "the comparison group's effective size (41, below 60: a few comparison people carry most of the weight)",
    ]
    text = headline("For 100 typical people ...", problems)
    assert text.startswith("The groups are not comparable on prior_sanctions (variance ratio 2.60); sex=M")
    assert headline("For 100 typical people ...", []) == "For 100 typical people ..."


@pytest.mark.slow
@pytest.mark.django_db
def test_a_supplied_outcome_through_the_web_page(
    data_dir: Path, tmp_path: Path, settings: Any, django_user_model: Any
) -> None:
    from tests.evaluation.test_web import _analyst

    folder = tmp_path / "data"
    shutil.copytree(data_dir, folder)
    settings.EVALUATION_DATA_DIR = str(folder)
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path / "runs")
    settings.EVALUATION_RUNNER = "inline"
    analyst = _analyst("supplied-analyst", None)
    text = config_text(
        data="\n  people: people.parquet\n  events: events.parquet\n  treated: treated.csv\n"
        "  covariates: covariates.csv\n  outcomes: employment.csv",
        supplied_outcomes=" " + json.dumps(SUPPLIED["supplied_outcomes"]),  # JSON is YAML
    )
    run = services.evaluation_run_create(user=analyst, config_text=text, scheme=None)
    run = services.evaluation_run_execute(run.pk)
    assert run.status == RunStatus.SUCCEEDED, run.message
    client = Client()
    client.force_login(analyst)
    page = client.get(f"/evaluation/{run.pk}/").content.decode()
    assert "In employment six months after the start" in page
    assert "were in employment six months after the start" in page
