"""`iom evaluate`: report files, recorded inputs, exact reproducibility, refusal and config errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from openiom.cli import main
from openiom.evaluation import planted


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    planted.generate(folder, n_people=2500, n_treated=250, effect=0.1, seed=5, fmt="parquet")
    return folder


def _config(folder: Path, **extra: object) -> Path:
    config = {
        "title": "CLI test",
        "data": {
            "people": "people.parquet",
            "events": "events.parquet",
            "treated": "treated.parquet",
            "covariates": "covariates.parquet",
        },
        "data_end": "2024-12-31",
        "covariates": {"supplied": ["drug_need"]},
        "matching": {"ratio": 2, "replace": True, "exact": ["sex"]},
        "costs": {"programme_cost_per_person": 500},
        "heterogeneity": True,
        "seed": 99,
        **extra,
    }
    path = folder / f"config-{len(extra)}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.slow
def test_report_is_written_and_reproduces_exactly(data_dir: Path, tmp_path: Path) -> None:
    config = _config(data_dir)
    runner = CliRunner()
    first = runner.invoke(main, ["evaluate", str(config), "--out", str(tmp_path / "one"), "--quiet"])
    assert first.exit_code == 0, first.output
    assert "For 100 typical people" in first.output
    second = runner.invoke(main, ["evaluate", str(config), "--out", str(tmp_path / "two"), "--quiet"])
    assert second.exit_code == 0, second.output
    one = (tmp_path / "one" / "results.json").read_bytes()
    assert one == (tmp_path / "two" / "results.json").read_bytes()

    results = json.loads(one)
    assert results["seed"] == 99
    assert results["inputs"]["reference_data"]["version"] == "2026.1"
    assert set(results["inputs"]["files"]) == {"people", "events", "treated", "covariates"}
    assert len(results["inputs"]["files"]["events"]["sha256"]) == 64
    assert results["versions"]["statsmodels"] and results["versions"]["numpy"]
    assert results["matching"]["se_method"].startswith("heteroskedasticity-robust (HC3), not clustered")
    assert results["heterogeneity"]["label"].startswith("EXPLORATORY")

    html = (tmp_path / "one" / "report.html").read_text()
    assert '<svg role="img" aria-labelledby="love-plot-title"' in html
    assert "Balance before and after matching (the numbers in the love plot)" in html
    assert (tmp_path / "one" / "report.pdf").read_bytes().startswith(b"%PDF")
    assert not list((tmp_path / "one").glob("*.partial"))


@pytest.mark.slow
def test_refusal_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    config = _config(data_dir, min_cohort=1000)
    result = CliRunner().invoke(main, ["evaluate", str(config), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1
    assert "evaluation refused: the treatment group (with complete follow-up) has 250 people" in result.output
    assert not (tmp_path / "out").exists()


def test_config_error_names_the_key(data_dir: Path, tmp_path: Path) -> None:
    config = _config(data_dir, outcomes=["proven_reoffending", "happiness"])
    result = CliRunner().invoke(main, ["evaluate", str(config), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "outcomes: unknown outcome(s) happiness" in result.output
