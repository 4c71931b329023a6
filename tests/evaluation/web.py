"""A small planted-effect dataset laid out like the evaluation data folder the web page reads, and a
configuration for it. Shared by the page tests and the browser journey."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from openiom.evaluation import planted

PLANTED_EFFECT = -0.2


def planted_folder(folder: Path, *, people: int = 2000, treated: int = 200, seed: int = 11) -> Path:
    """people.parquet, events.parquet, treated.csv and covariates.csv: the names docs/examples/evaluation.yaml
    uses, so the configuration the page offers runs as it is."""
    data = planted.generate(
        folder, n_people=people, n_treated=treated, effect=-PLANTED_EFFECT, seed=seed, fmt="parquet"
    )
    for name, path in (("treated", data.treated), ("covariates", data.covariates)):
        pd.read_parquet(path).to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d")
        path.unlink()
    return folder


def config_text(**overrides: str) -> str:
    """A quick configuration for the planted data (no exploratory model, so the job takes seconds)."""
    keys = {
        "title": "Planted programme",
        "data": "\n  people: people.parquet\n  events: events.parquet\n  treated: treated.csv\n"
        "  covariates: covariates.csv",
        "data_end": "2024-12-31",
        "covariates": "\n  supplied: [drug_need]",
        "costs": "\n  programme_cost_per_person: 500",
        "min_cohort": "60",
        **overrides,
    }
    return "".join(f"{key}: {value}\n" for key, value in keys.items())
