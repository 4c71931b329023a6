"""Proven reoffending and index events on hand-built histories (MoJ rules, docs/evaluation.md)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from openiom.evaluation import histories
from openiom.evaluation.outcomes import person_outcomes, reoffences_by_cost_category

from .conftest import event, person


def _cohort(con: duckdb.DuckDBPyConnection, index: dict[str, str]) -> None:
    con.execute("create or replace temp table cohort (person_key bigint, index_date date, treated integer)")
    for source_id, day in index.items():
        con.execute(
            "insert into cohort select person_key, cast(? as date), 1 from people where source_id = ?",
            [day, source_id],
        )


def _outcomes(con: duckdb.DuckDBPyConnection, index: dict[str, str]) -> dict[str, dict[str, float]]:
    _cohort(con, index)
    frame = person_outcomes(con, "cohort")
    keys = dict(con.execute("select person_key, source_id from people").fetchall())
    return {keys[int(row["person_key"])]: row for row in frame.to_dict("records")}


def test_offence_in_follow_up_counts_only_if_proven_within_the_waiting_period(load) -> None:
    con = load(
        [person("A"), person("B")],
        [
            # Committed 11 months after the index date, convicted 17 months after: counts.
            event("A", 1, "conviction", "2021-12-01", "2022-06-01"),
            # Committed inside the year but convicted 19 months after the index date: too late.
            event("B", 1, "conviction", "2021-12-01", "2022-08-15"),
        ],
    )
    out = _outcomes(con, {"A": "2021-01-10", "B": "2021-01-10"})
    assert out["A"]["proven_reoffending"] == 1
    assert out["B"]["proven_reoffending"] == 0
    assert out["B"]["reoffending_frequency"] == 0


def test_follow_up_year_ends_the_day_before_the_anniversary(load) -> None:
    con = load(
        [person("A"), person("B")],
        [
            event("A", 1, "conviction", "2022-01-09", "2022-02-01"),  # last day of the year
            event("B", 1, "conviction", "2022-01-10", "2022-02-01"),  # the anniversary itself
        ],
    )
    out = _outcomes(con, {"A": "2021-01-10", "B": "2021-01-10"})
    assert out["A"]["proven_reoffending"] == 1
    assert out["B"]["proven_reoffending"] == 0


def test_offences_before_the_index_event_never_count(load) -> None:
    con = load(
        [person("A")],
        [
            # Committed before the index date, convicted during the follow-up: not a reoffence.
            event("A", 1, "conviction", "2020-12-01", "2021-03-01"),
            # Dealt with at the index event itself (outcome on the index date): part of the index episode.
            event("A", 2, "conviction", "2021-01-10", "2021-01-10"),
        ],
    )
    out = _outcomes(con, {"A": "2021-01-10"})
    assert out["A"]["reoffending_frequency"] == 0


def test_only_convictions_and_cautions_are_proven(load) -> None:
    con = load(
        [person("A")],
        [
            event("A", 1, "arrest", "2021-02-01", "2021-02-01"),
            event("A", 2, "charge", "2021-02-01", "2021-02-03"),
            event("A", 3, "out_of_court_disposal", "2021-03-01", "2021-03-02"),
            event("A", 4, "caution", "2021-04-01", "2021-04-05"),
            event("A", 5, "conviction", "2021-05-01", "2021-07-01"),
        ],
    )
    out = _outcomes(con, {"A": "2021-01-10"})
    assert out["A"]["reoffending_frequency"] == 2
    assert out["A"]["days_to_first_reoffence"] == (date(2021, 4, 1) - date(2021, 1, 10)).days


def test_custody_severity_and_cost_with_uncosted_offences_reported(load) -> None:
    con = load(
        [person("A")],
        [
            # Domestic burglary (unit cost 5,930; CSS 438) leading to custody.
            event(
                "A",
                1,
                "conviction",
                "2021-02-01",
                "2021-03-01",
                "028/01",
                "custody",
                "2021-03-01",
                "2021-09-01",
            ),
            # Shoplifting: its cost category has no unit cost in the reference data -> not costed.
            event("A", 2, "caution", "2021-04-01", "2021-04-02", "046/01"),
            # Fraud: no cost category at all -> not costed.
            event("A", 3, "conviction", "2021-05-01", "2021-06-01", "053/01"),
        ],
    )
    out = _outcomes(con, {"A": "2021-01-10"})["A"]
    assert out["custodial_reoffending"] == 1
    assert out["custodial_frequency"] == 1
    assert out["severity"] == pytest.approx(438 + 13 + 60)
    assert out["cost_of_crime"] == pytest.approx(5930)
    assert out["uncosted_reoffences"] == 2
    by_cat = reoffences_by_cost_category(con, "cohort").set_index("cost_category")
    assert by_cat.loc["domestic_burglary", "unit_cost"] == pytest.approx(5930)
    assert by_cat.loc["commercial_theft", "reoffences"] == 1
    assert by_cat.loc["commercial_theft", "unit_cost"] != by_cat.loc["commercial_theft", "unit_cost"]  # NaN
    assert by_cat.loc["(no cost category)", "reoffences"] == 1


def _index_events(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    histories.create_index_events(con)
    return con.execute(
        "select p.source_id, cast(i.index_date as varchar), i.index_type from index_events i "
        "join people p using (person_key) order by 1, 2"
    ).fetchall()


def test_custody_release_is_an_index_date_and_follow_up_starts_at_release(load) -> None:
    con = load(
        [person("A")],
        [
            event(
                "A",
                1,
                "conviction",
                "2020-01-01",
                "2020-02-01",
                "028/01",
                "custody",
                "2020-02-01",
                "2020-08-01",
            ),
            # Committed before the sentence, convicted after release: not a reoffence.
            event("A", 2, "conviction", "2019-12-01", "2020-09-01"),
            # Committed after release: a reoffence.
            event("A", 3, "conviction", "2020-10-01", "2020-11-01"),
        ],
    )
    assert ("A", "2020-08-01", "custody_release") in _index_events(con)
    out = _outcomes(con, {"A": "2020-08-01"})
    assert out["A"]["reoffending_frequency"] == 1


def test_overlapping_custody_is_one_spell_and_sentences_in_custody_are_not_index_events(load) -> None:
    con = load(
        [person("A")],
        [
            event(
                "A",
                1,
                "conviction",
                "2020-01-01",
                "2020-02-01",
                "028/01",
                "custody",
                "2020-02-01",
                "2020-08-01",
            ),
            # A concurrent sentence starting inside the first one and ending later.
            event(
                "A",
                2,
                "conviction",
                "2020-01-05",
                "2020-04-01",
                "105/01",
                "custody",
                "2020-04-01",
                "2020-12-01",
            ),
            # A fine given while in custody: the person is not in the community.
            event("A", 3, "conviction", "2019-11-01", "2020-06-01", "058/01", "fine"),
            # A caution after release: an index event.
            event("A", 4, "caution", "2021-01-01", "2021-01-05", "046/01"),
        ],
    )
    assert _index_events(con) == [
        ("A", "2020-12-01", "custody_release"),
        ("A", "2021-01-05", "caution"),
    ]


def test_still_in_custody_has_no_release(load) -> None:
    con = load(
        [person("A")],
        [event("A", 1, "conviction", "2020-01-01", "2020-02-01", "028/01", "custody", "2020-02-01", "")],
    )
    assert _index_events(con) == []


def test_history_covariates_use_only_the_past(load) -> None:
    con = load(
        [person("A", dob="2000-01-10", sex="F")],
        [
            event(
                "A",
                1,
                "conviction",
                "2018-01-01",
                "2018-02-01",
                "105/01",
                "custody",
                "2018-02-01",
                "2018-05-01",
            ),
            event("A", 2, "caution", "2020-06-01", "2020-07-01", "046/01"),
            event("A", 3, "conviction", "2021-01-01", "2021-01-10", "092/02"),  # the index event
            event("A", 4, "conviction", "2021-02-01", "2021-03-01", "028/01"),  # after: ignored
        ],
    )
    _cohort(con, {"A": "2021-01-10"})
    row = histories.history_covariates(con, "cohort").iloc[0]
    assert row["age"] == pytest.approx(21.0, abs=0.01)
    assert row["sex"] == "F"
    assert row["prior_sanctions"] == 3
    assert row["prior_sanctions_1y"] == 2
    assert row["prior_custody"] == 1
    assert row["prior_violence"] == 1
    assert row["prior_acquisitive"] == 1
    assert row["prior_drugs"] == 1
    assert row["index_offence_group"] == "drugs"
    assert row["years_since_first_sanction"] == pytest.approx(
        (date(2021, 1, 10) - date(2018, 2, 1)).days / 365.25, abs=1e-3
    )


def test_bad_rows_are_named(load) -> None:
    with pytest.raises(histories.InputError, match=r"events.csv row 2, field outcome_date: '2021-02-30'"):
        load(
            [person("A")],
            [
                event("A", 1, "caution", "2021-01-01", "2021-01-02"),
                event("A", 2, "caution", "2021-01-01", "2021-02-30"),
            ],
        )
    with pytest.raises(histories.InputError, match=r"events.csv row 1, field person_source_id: 'Z'"):
        load([person("A")], [event("Z", 1, "caution", "2021-01-01", "2021-01-02")])
