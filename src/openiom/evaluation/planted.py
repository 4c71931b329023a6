"""A synthetic dataset with a known (planted) programme effect, in the documented file formats.

Used by the tests (is the planted effect recovered inside the interval?), the benchmark (5,000 treated
against a million) and for trying `iom evaluate` without real data. Everyone is synthetic.

Treatment and outcome depend only on things the evaluation can see (age, sex and the criminal history
written to the events file), so matching on those covariates removes the confounding and the true effect
on the treated is known: proven reoffending falls by exactly `effect` (an absolute proportion) for every
treated person, and the number of reoffences among reoffenders is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

WINDOW_START = date(2022, 1, 1)
DATA_END = date(2024, 12, 31)
# (offence code, weight): a mix of costed and not-costed categories so cost coverage is exercised.
CODES = (
    ("046/01", 0.25),
    ("049/01", 0.15),
    ("028/01", 0.12),
    ("105/01", 0.15),
    ("008/01", 0.05),
    ("058/01", 0.10),
    ("092/02", 0.10),
    ("045/01", 0.08),
)


@dataclass(frozen=True)
class PlantedData:
    people: Path
    events: Path
    treated: Path
    covariates: Path
    effect: float
    n_treated: int
    n_people: int


def _days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _to_dates(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]")


def generate(
    out_dir: Path,
    *,
    n_people: int = 4000,
    n_treated: int = 400,
    effect: float = 0.12,
    seed: int = 7,
    fmt: str = "csv",
) -> PlantedData:
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    n = n_people
    male = rng.random(n) < 0.82
    age = rng.uniform(18, 60, n)
    # Prior proven offences: heavy-tailed, more for young men, as in criminal-career data.
    rate = np.exp(0.8 + 0.5 * male - 0.015 * (age - 18) + rng.normal(0, 0.8, n))
    priors = np.minimum(rng.poisson(rate), 60)
    need = rng.random(n) < 1 / (1 + np.exp(-(-1.0 + 0.08 * np.minimum(priors, 20))))
    index_day = _days(WINDOW_START) + rng.integers(0, 365, n)
    dob_day = index_day - np.round(age * 365.25).astype(np.int64)

    capped = np.minimum(priors, 15)
    p_treat = 1 / (1 + np.exp(-(-3.2 + 0.18 * capped - 0.02 * (age - 30) + 0.4 * need)))
    treated_ids = rng.choice(n, size=n_treated, replace=False, p=p_treat / p_treat.sum())
    treated = np.zeros(n, dtype=bool)
    treated[treated_ids] = True
    p0 = np.clip(
        1 / (1 + np.exp(-(-1.3 + 0.14 * capped - 0.03 * (age - 30) + 0.3 * male + 0.3 * need))), 0.2, 0.9
    )
    p = np.where(treated, p0 - effect, p0)
    reoffends = rng.random(n) < p

    frames = []
    codes = np.array([c for c, _ in CODES])
    weights = np.array([w for _, w in CODES])
    # Prior offences: all proven before the comparison window, so the planted index event is each person's
    # first eligible index event in the window.
    person = np.repeat(np.arange(n), priors)
    k = len(person)
    outcome = index_day[person] - 400 - rng.integers(0, 3000, k)
    offence = outcome - rng.integers(1, 60, k)
    prior_custody = rng.random(k) < 0.15
    sentence = rng.integers(30, 180, k)
    prior_custody &= outcome + sentence < _days(WINDOW_START)
    frames.append(
        pd.DataFrame(
            {
                "person": person,
                "event_type": np.where(rng.random(k) < 0.25, "caution", "conviction"),
                "offence_date": offence,
                "outcome_date": outcome,
                "offence_code": rng.choice(codes, size=k, p=weights / weights.sum()),
                "custody": prior_custody,
                "sentence": sentence,
            }
        )
    )
    # The index event: a court order, a caution, or the end of a custodial sentence.
    kind = rng.choice(3, size=n, p=[0.6, 0.2, 0.2])
    idx_sentence = rng.integers(60, 300, n)
    idx_outcome = np.where(kind == 2, index_day - idx_sentence, index_day)
    frames.append(
        pd.DataFrame(
            {
                "person": np.arange(n),
                "event_type": np.where(kind == 1, "caution", "conviction"),
                "offence_date": idx_outcome - rng.integers(5, 40, n),
                "outcome_date": idx_outcome,
                "offence_code": rng.choice(codes, size=n, p=weights / weights.sum()),
                "custody": kind == 2,
                "sentence": idx_sentence,
            }
        )
    )
    # Reoffences in the follow-up year, proven within the waiting period.
    counts = np.where(reoffends, 1 + rng.poisson(1.5, n), 0)
    person = np.repeat(np.arange(n), counts)
    k = len(person)
    offence = index_day[person] + rng.integers(0, 365, k)
    outcome = offence + rng.integers(1, 150, k)
    frames.append(
        pd.DataFrame(
            {
                "person": person,
                "event_type": "conviction",
                "offence_date": offence,
                "outcome_date": outcome,
                "offence_code": rng.choice(codes, size=k, p=weights / weights.sum()),
                "custody": rng.random(k) < 0.2,
                "sentence": rng.integers(30, 120, k),
            }
        )
    )
    events = pd.concat(frames, ignore_index=True)
    events = events.sort_values(["person", "outcome_date", "offence_date"], kind="stable").reset_index(
        drop=True
    )
    is_caution = events["event_type"].to_numpy() == "caution"
    custody = events["custody"].to_numpy() & ~is_caution
    source_ids = np.char.add("P", np.char.zfill(np.arange(n).astype(str), 7))
    event_table = pd.DataFrame(
        {
            "source_system": "SYNTH",
            "source_id": np.char.add("E", np.char.zfill(np.arange(len(events)).astype(str), 9)),
            "person_source_id": source_ids[events["person"].to_numpy()],
            "event_type": events["event_type"],
            "offence_date": _to_dates(events["offence_date"].to_numpy()),
            "outcome_date": _to_dates(events["outcome_date"].to_numpy()),
            "offence_code": events["offence_code"],
            "disposal": np.where(is_caution, "caution", np.where(custody, "custody", "community_order")),
            "custody_start": np.where(
                custody, _to_dates(events["outcome_date"].to_numpy()), np.datetime64("NaT", "D")
            ),
            "release_date": np.where(
                custody,
                _to_dates((events["outcome_date"] + events["sentence"]).to_numpy()),
                np.datetime64("NaT", "D"),
            ),
            "sentence_days": np.where(custody, events["sentence"].to_numpy(), 0),
        }
    )
    event_table["sentence_days"] = event_table["sentence_days"].astype("Int64").where(custody)
    people = pd.DataFrame(
        {
            "source_system": "SYNTH",
            "source_id": source_ids,
            "family_name": "Synthetic",
            "given_names": np.char.add("Person ", np.arange(n).astype(str)),
            "date_of_birth": _to_dates(dob_day),
            "sex": np.where(male, "M", "F"),
        }
    )
    treated_table = pd.DataFrame(
        {"source_id": source_ids[treated_ids], "index_date": _to_dates(index_day[treated_ids])}
    ).sort_values("source_id")
    covariates = pd.DataFrame({"source_id": source_ids, "drug_need": np.where(need, "yes", "no")})
    suffix = ".parquet" if fmt == "parquet" else ".csv"
    paths = {name: out_dir / f"{name}{suffix}" for name in ("people", "events", "treated", "covariates")}
    for name, table in (
        ("people", people),
        ("events", event_table),
        ("treated", treated_table),
        ("covariates", covariates),
    ):
        if fmt == "parquet":
            table.to_parquet(paths[name], index=False)
        else:
            table.to_csv(paths[name], index=False, date_format="%Y-%m-%d")
    return PlantedData(
        paths["people"], paths["events"], paths["treated"], paths["covariates"], effect, n_treated, n
    )
