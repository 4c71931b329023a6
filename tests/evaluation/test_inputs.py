"""Input files that cannot be used are errors naming the file, row and field; good ones resolve to people."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from openiom.evaluation import histories
from openiom.reference.datafiles import builtin_reference
from tests.evaluation.conftest import EVENT_HEADER, PEOPLE_HEADER, event, person, write_csv


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    people = [person("A"), person("B", sex="F"), {**person("A"), "source_system": "OTHER"}]
    events = [event("A", 1, "conviction", "2020-01-01", "2020-02-01")]
    con = duckdb.connect()
    histories.load_histories(
        con,
        write_csv(tmp_path / "people.csv", PEOPLE_HEADER, people),
        write_csv(tmp_path / "events.csv", EVENT_HEADER, events),
        builtin_reference(),
    )
    con.execute(
        "create temp table cohort as select person_key, date '2021-01-01' as index_date, 1 as treated from people"
    )
    return con


def test_an_event_of_nobody_names_its_row(tmp_path: Path) -> None:
    events = [
        event("A", 1, "conviction", "2020-01-01", "2020-02-01"),
        event("Z", 2, "caution", "2020-01-01", "2020-02-01"),
    ]
    with pytest.raises(
        histories.InputError, match=r"events.csv row 2, field person_source_id: 'Z' does not name a person"
    ):
        histories.load_histories(
            duckdb.connect(),
            write_csv(tmp_path / "people.csv", PEOPLE_HEADER, [person("A")]),
            write_csv(tmp_path / "events.csv", EVENT_HEADER, events),
            builtin_reference(),
        )


def test_a_treated_list_resolves_people_by_id_and_system(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    ambiguous = tmp_path / "treated.csv"
    ambiguous.write_text("source_id,index_date\nB,2021-01-01\nA,2021-01-01\n")
    with pytest.raises(
        histories.InputError, match="row 2, field source_id: 'A' is in more than one source_system"
    ):
        histories.read_people_list(con, ambiguous, "treated")
    chosen = tmp_path / "treated2.csv"
    chosen.write_text("source_id,source_system,index_date\nA,OTHER,2021-01-01\nB,,2021-01-01\n")
    assert histories.read_people_list(con, chosen, "treated") == 2
    assert con.execute("select person_key from treated order by person_key").fetchall() == [(2,), (3,)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("source_id,need\nB,high\nA,\n", "covariates.csv row 2, field need: a value is required"),
        (
            "source_id,need\nB,high\nB,low\n",
            "covariates.csv row 1, field source_id: 'B' appears more than once",
        ),
        ("source_id,other\nB,1\n", "covariates.csv: missing column(s) need"),
    ],
)
def test_bad_supplied_covariates_name_row_and_field(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "covariates.csv"
    path.write_text(content)
    with pytest.raises(histories.InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        histories.read_supplied_covariates(con, path, ["need"])


def test_supplied_covariates_keep_numbers_numeric_and_drop_people_without_a_row(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "covariates.parquet"
    pd.DataFrame(
        {
            "source_system": ["SYNTH", "SYNTH"],
            "source_id": ["A", "B"],
            "score": [1.5, 2],
            "need": [" high", "low"],
        }
    ).to_parquet(path)
    histories.read_supplied_covariates(con, path, ["score", "need"])
    frame = histories.history_covariates(con, "cohort")
    merged, treated_dropped, pool_dropped = histories.attach_supplied(con, frame, "cohort", ["score", "need"])
    assert (treated_dropped, pool_dropped) == (1, 0)  # A of system OTHER has no row
    assert merged["score"].tolist() == [1.5, 2.0]
    assert merged["need"].tolist() == ["high", "low"]
    text = tmp_path / "covariates.csv"
    text.write_text("source_id,source_system,score\nA,SYNTH, 3\nB,SYNTH,4\nA,OTHER,5\n")
    histories.read_supplied_covariates(con, text, ["score"])
    merged, _, _ = histories.attach_supplied(con, frame, "cohort", ["score"])
    assert merged["score"].dtype == float and merged["score"].tolist() == [3.0, 4.0, 5.0]
