"""The performance measures on files: the People and Events files of an area (docs/data-formats.md)
and lists of managed and comparison people, read with the evaluation's readers. Used by the
benchmark and by the check that the tracker recovers a planted effect. No Django import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from openiom.evaluation.histories import load_histories, read_people_list
from openiom.performance.measures import COMPARISON, DEFAULT_MONTHS, MANAGED, Measures, compute
from openiom.reference.datafiles import ReferenceData, builtin_reference


def load_members(
    con: duckdb.DuckDBPyConnection,
    managed: Path,
    comparison: Path | None,
    *,
    managed_date: str = "adoption_date",
    comparison_date: str = "qualified_on",
) -> pd.DataFrame:
    """Members (person_key, group, anchor) from a managed list and an optional comparison list, each
    a file of source_id and a date; a row naming nobody in the people file is an error naming it."""
    read_people_list(con, managed, "perf_managed_list", date_column=managed_date)
    frames = [
        con.execute(
            "select person_key, 'managed' as \"group\", index_date as anchor from perf_managed_list"
        ).df()
    ]
    if comparison is not None:
        read_people_list(con, comparison, "perf_comparison_list", date_column=comparison_date)
        frames.append(
            con.execute(
                "select person_key, 'comparison' as \"group\", index_date as anchor from perf_comparison_list "
                "where person_key not in (select person_key from perf_managed_list)"
            ).df()
        )
    members = pd.concat(frames, ignore_index=True)
    assert set(members["group"]) <= {MANAGED, COMPARISON}
    return members


def measure_files(
    people: Path,
    events: Path,
    managed: Path,
    comparison: Path | None,
    *,
    as_of: date,
    months: int = DEFAULT_MONTHS,
    reference: ReferenceData | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Measures:
    con = con or duckdb.connect()
    load_histories(con, people, events, reference or builtin_reference(), data_end=as_of)
    members = load_members(con, managed, comparison)
    return compute(con, members, as_of=as_of, months=months)
