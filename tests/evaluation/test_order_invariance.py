"""Two analysts with the same people, their extract sorted differently, get the same answer."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from openiom.evaluation import planted
from openiom.evaluation.config import parse_config
from openiom.evaluation.pipeline import run_evaluation
from openiom.evaluation.report import render_html

FILES = ("people", "events", "treated", "covariates")


def _run(folder: Path, **matching: Any) -> tuple[dict[str, Any], dict[str, float]]:
    config = parse_config(
        {
            "data": {name: f"{name}.csv" for name in FILES},
            "data_end": "2024-12-31",
            "covariates": {"supplied": ["drug_need"]},
            "matching": matching,
            "min_cohort": 30,
            "costs": {"programme_cost_per_person": 400},
        },
        folder,
    )
    evaluation = run_evaluation(config)
    return evaluation.results, evaluation.weights_by_person


def _without_file_hashes(results: dict[str, Any]) -> dict[str, Any]:
    return {**results, "inputs": {**results["inputs"], "files": None}}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    original = tmp_path_factory.mktemp("sorted")
    planted.generate(original, n_people=1500, n_treated=150, effect=0.15, seed=21)
    # Coarse ages make many people share a propensity score, so tie handling decides the answer.
    people = pd.read_csv(original / "people.csv", dtype=str)
    people["date_of_birth"] = people["date_of_birth"].str[:4] + "-01-01"
    people.to_csv(original / "people.csv", index=False)
    shuffled = tmp_path_factory.mktemp("shuffled")
    rng = np.random.default_rng(4)
    for name in FILES:
        frame = pd.read_csv(original / f"{name}.csv", dtype=str, keep_default_na=False)
        frame.iloc[rng.permutation(len(frame))].to_csv(shuffled / f"{name}.csv", index=False)
    return original, shuffled


@pytest.mark.slow
@pytest.mark.parametrize("matching", [{}, {"ratio": 2, "replace": True}, {"ties": "random"}])
def test_shuffled_rows_give_identical_weights_estimates_and_report(
    folders: tuple[Path, Path], matching: dict[str, Any]
) -> None:
    first, first_weights = _run(folders[0], **matching)
    second, second_weights = _run(folders[1], **matching)
    assert first_weights == second_weights
    assert _without_file_hashes(first) == _without_file_hashes(second)
    when = datetime(2026, 1, 1, tzinfo=UTC)

    def html(results: dict[str, Any]) -> str:
        return re.sub(r"<code>[0-9a-f]{64}</code>", "", render_html(results, "<svg></svg>", when))

    assert html(first) == html(second)


@pytest.mark.parametrize("first", ["028/01", "008/01"])
def test_the_index_offence_group_does_not_depend_on_the_events_file_order(load, first: str) -> None:
    from openiom.evaluation import histories
    from tests.evaluation.conftest import event, person

    codes = [first, "008/01" if first == "028/01" else "028/01"]
    events = [
        event("A", n, "conviction", "2021-01-01", "2021-03-01", code=code) for n, code in enumerate(codes)
    ]
    con = load([person("A")], events)
    con.execute(
        "create temp table cohort as select 1 as person_key, DATE '2021-03-01' as index_date, 1 as treated"
    )
    group = histories.history_covariates(con, "cohort")["index_offence_group"].iloc[0]
    # Same outcome date and offence date: the group name decides, whichever row comes first.
    assert group == max(r[0] for r in con.execute("select offence_group from events").fetchall())
