"""Reoffending outcomes from offending histories (MoJ proven reoffending and related measures).

A **proven reoffence** is a conviction or caution (docs/data-formats.md) for an offence

- committed on or after the index date and before the first anniversary of it (12-month follow-up), and
- proven (conviction or caution dated) after the index date and before 18 months from it, i.e. within
  the follow-up year or the further 6-month waiting period.

An offence committed before the index date never counts, even if it is proven during the follow-up; and
an offence proven at the index event itself (outcome on the index date) is part of the index episode.

Outcomes are computed only for the matched sample, after matching, so the comparison group is built
without looking at anyone's outcome.

SQL text is assembled only from table and column names chosen in this code (hence the S608
suppressions); file paths and dates are always bound as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

FOLLOW_UP_MONTHS = 12
WAITING_MONTHS = 6


@dataclass(frozen=True)
class OutcomeSpec:
    key: str
    label: str
    kind: str  # rate (binary) | count | days | score | gbp | numeric
    unit: str
    phrase: str = ""  # binary outcomes: what a person with the outcome "had" or did, for sentences


def outcome_spec(key: str, supplied: dict[str, OutcomeSpec] | None = None) -> OutcomeSpec:
    """The spec of a built-in or supplied outcome; an unknown name gets neutral numeric wording."""
    if supplied and key in supplied:
        return supplied[key]
    return OUTCOME_SPECS.get(key) or OutcomeSpec(key, key, "numeric", "")


OUTCOME_SPECS: dict[str, OutcomeSpec] = {
    s.key: s
    for s in (
        OutcomeSpec(
            "proven_reoffending",
            "Proven reoffending rate (one year)",
            "rate",
            "people who reoffended",
            "had a proven reoffence within a year",
        ),
        OutcomeSpec("reoffending_frequency", "Proven reoffences per person", "count", "proven reoffences"),
        OutcomeSpec(
            "days_to_first_reoffence", "Days to first proven reoffence (reoffenders only)", "days", "days"
        ),
        OutcomeSpec(
            "custodial_reoffending",
            "Reoffending leading to custody",
            "rate",
            "people given custody",
            "had a reoffence leading to custody within a year",
        ),
        OutcomeSpec(
            "custodial_frequency", "Reoffences leading to custody per person", "count", "custodial reoffences"
        ),
        OutcomeSpec("severity", "Crime Severity Score of reoffences per person", "score", "severity points"),
        OutcomeSpec("cost_of_crime", "Cost of crime of reoffences per person (£)", "gbp", "pounds"),
    )
}

_REOFFENCE_JOIN = f"""
    left join events e
      on e.person_key = c.person_key and e.proven
     and e.offence_date >= c.index_date
     and e.offence_date < cast(c.index_date + interval {FOLLOW_UP_MONTHS} month as date)
     and e.outcome_date > c.index_date
     and e.outcome_date < cast(c.index_date + interval {FOLLOW_UP_MONTHS + WAITING_MONTHS} month as date)
"""


def person_outcomes(con: duckdb.DuckDBPyConnection, cohort_table: str, uplift: float = 1.0) -> pd.DataFrame:
    """One row per person in `cohort_table(person_key, index_date)` with every outcome.

    `cost_of_crime` counts only reoffences whose offence has a unit cost; `uncosted_reoffences` and
    `unscored_reoffences` count those without a unit cost or a severity weight, so a report can say how
    much is not covered instead of treating it as zero.
    """
    frame = con.execute(
        f"""select c.person_key,
            count(e.person_key) as reoffending_frequency,
            cast(count(e.person_key) > 0 as integer) as proven_reoffending,
            datediff('day', c.index_date, min(e.offence_date)) as days_to_first_reoffence,
            count(e.person_key) filter (where e.disposal = 'custody') as custodial_frequency,
            cast(count(e.person_key) filter (where e.disposal = 'custody') > 0 as integer) as custodial_reoffending,
            coalesce(sum(e.css_weight), 0) as severity,
            coalesce(sum(e.unit_cost), 0) * {float(uplift)!r} as cost_of_crime,
            count(e.person_key) filter (where e.unit_cost is null) as uncosted_reoffences,
            count(e.person_key) filter (where e.css_weight is null) as unscored_reoffences
        from {cohort_table} c {_REOFFENCE_JOIN}
        group by c.person_key, c.index_date
        order by c.person_key"""  # noqa: S608
    ).df()
    frame["days_to_first_reoffence"] = frame["days_to_first_reoffence"].astype(float)
    for column in ("severity", "cost_of_crime"):
        frame[column] = frame[column].astype(float)
    return frame


def reoffences_by_cost_category(
    con: duckdb.DuckDBPyConnection, cohort_table: str, uplift: float = 1.0
) -> pd.DataFrame:
    """Per person and cost category: number of proven reoffences and their cost (long format).

    Reoffences without a cost category are reported under `(no cost category)`; those in a category whose
    unit cost has no value keep their category with a null unit cost.
    """
    return con.execute(
        f"""select c.person_key, coalesce(e.cost_category, '(no cost category)') as cost_category,
            count(*) as reoffences, any_value(e.unit_cost) * {float(uplift)!r} as unit_cost
        from {cohort_table} c {_REOFFENCE_JOIN.replace("left join", "join")}
        group by all
        order by c.person_key, cost_category"""  # noqa: S608
    ).df()


BINARY_VALUES = {"1": 1.0, "0": 0.0, "true": 1.0, "false": 0.0, "yes": 1.0, "no": 0.0}


def supplied_specs(supplied: list[Any]) -> dict[str, OutcomeSpec]:
    """OutcomeSpecs for the configuration's supplied_outcomes (binary outcomes are reported as rates)."""
    return {
        o.name: OutcomeSpec(
            o.name,
            o.label or o.name.replace("_", " "),
            "rate" if o.kind == "binary" else "numeric",
            o.unit,
            o.phrase,
        )
        for o in supplied
    }


def read_supplied_outcomes(
    con: duckdb.DuckDBPyConnection, path: Path, specs: dict[str, OutcomeSpec]
) -> pd.DataFrame:
    """person_key plus one column per supplied outcome, from a file of source_id (optional source_system)
    and the outcome columns. An empty cell is a missing outcome (that person leaves that estimate only);
    a binary value other than 1/0/true/false/yes/no, text in a numeric column, a duplicate person or a
    missing column is an InputError naming the row and field. Rows naming nobody are ignored."""
    from openiom.evaluation.histories import InputError, _load_file, _types

    _load_file(con, "raw_outcomes", path)
    types = _types(con, "raw_outcomes")
    missing = [c for c in ["source_id", *specs] if c not in types]
    if missing:
        raise InputError(f"{path.name}: missing column(s) {', '.join(missing)}")
    frame = con.execute("select * from raw_outcomes order by _row").df()
    ids = frame["source_id"].astype(str).str.strip()
    systems = frame["source_system"].astype(str).str.strip() if "source_system" in frame else None
    key = ids if systems is None else systems + "\x1f" + ids
    duplicated = key.duplicated()
    if duplicated.any():
        row = frame.loc[duplicated, "_row"].iloc[0]
        raise InputError(
            f"{path.name} row {row}, field source_id: {ids[duplicated].iloc[0]!r} appears more than once"
        )
    out = pd.DataFrame({"source_id": ids})
    if systems is not None:
        out["source_system"] = systems
    for name, spec in specs.items():
        text = frame[name].astype("string").str.strip().str.lower()
        empty = text.isna() | (text == "")
        if spec.kind == "rate":
            values = text.map(BINARY_VALUES)
            bad = ~empty & values.isna()
            why = "is not a yes/no value (use 1/0, true/false or yes/no)"
        else:
            values = pd.to_numeric(text, errors="coerce")
            bad = ~empty & values.isna()
            why = "is not a number"
        if bad.any():
            row = frame.loc[bad, "_row"].iloc[0]
            raise InputError(f"{path.name} row {row}, field {name}: {frame.loc[bad, name].iloc[0]!r} {why}")
        out[name] = values.astype(float)
    people = con.execute("select person_key, source_system, source_id from people").df()
    on = ["source_system", "source_id"] if systems is not None else ["source_id"]
    return people.merge(out, on=on, how="inner")[["person_key", *specs]]
