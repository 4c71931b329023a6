"""Hand-worked before/after windows: boundaries, custody at liberty, partial windows, bad input."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd
import pytest

from openiom.performance import measures
from openiom.performance.measures import MeasureError, compute, load_events

AS_OF = date(2026, 1, 1)


def event(person: int, kind: str, offence: str, outcome: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "person_key": person,
        "event_type": kind,
        "offence_date": offence,
        "outcome_date": outcome or offence,
        "disposal": extra.get("disposal"),
        "custody_start": extra.get("custody_start"),
        "release_date": extra.get("release_date"),
        "css_weight": extra.get("css_weight", 100.0),
        "unit_cost": extra.get("unit_cost", 1000.0),
    }


def run(
    events: list[dict[str, Any]], members: list[tuple[int, str, str | None]], **kwargs: Any
) -> measures.Measures:
    con = duckdb.connect()
    load_events(con, pd.DataFrame(events, columns=list(measures.EVENT_FRAME_COLUMNS)))
    frame = pd.DataFrame(members, columns=["person_key", "group", "anchor"])
    frame["stream"] = "fixed"
    return compute(con, frame, as_of=kwargs.pop("as_of", AS_OF), **kwargs)


def row(result: measures.Measures, person: int, window: str) -> pd.Series:
    people = result.people
    return people[(people["person_key"] == person) & (people["window"] == window)].iloc[0]


# Person 1, adopted 1 July 2024: before = 1 Jul 2023 .. 30 Jun 2024 (366 days, a leap year),
# after = 1 Jul 2024 .. 30 Jun 2025 (365 days), with 91 days in custody (1 Sep to 30 Nov 2024).
PERSON_1 = [
    event(1, "conviction", "2024-06-30", "2024-07-20"),  # the day before adoption: before
    event(1, "caution", "2023-06-30", css_weight=None, unit_cost=None),  # a day before the window: out
    event(1, "conviction", "2024-07-01", "2024-08-01", css_weight=None),  # adoption day: after
    event(1, "arrest", "2024-07-25", "2024-08-01"),  # arrests are dated by the arrest
    event(
        1,
        "conviction",
        "2024-08-15",
        "2024-09-01",
        disposal="custody",
        custody_start="2024-09-01",
        release_date="2024-12-01",
    ),
    event(1, "conviction", "2025-07-01"),  # the day after the after window: out
    event(1, "conviction", "2025-03-01", "2026-02-01"),  # proven after the as-of date: not counted
]


def test_hand_worked_windows_with_custody_at_liberty() -> None:
    result = run(PERSON_1, [(1, "managed", "2024-07-01")])
    before, after = row(result, 1, "before"), row(result, 1, "after")
    assert (before["days"], before["custody_days"], before["proven"], before["convictions"]) == (366, 0, 1, 1)
    assert (after["days"], after["custody_days"], after["liberty_days"]) == (365, 91, 274)
    assert (after["proven"], after["convictions"], after["arrests"]) == (2, 2, 1)
    assert after["proven_per_365"] == pytest.approx(2 * 365 / 274)
    assert after["harm"] == 100.0 and after["cost"] == 2000.0  # one offence has no harm weight
    assert not after["partial"]
    assert result.diagnostics.events_after_as_of == 1
    assert result.diagnostics.proven_without_harm_weight == 1
    cohort = result.cohort[0]
    assert (cohort.measure, cohort.people, cohort.total_before, cohort.total_after) == ("proven", 1, 1, 2)


def test_a_partial_after_window_is_shown_but_left_out_of_totals() -> None:
    events = [event(2, "conviction", "2025-01-10"), event(2, "conviction", "2025-09-10"), *PERSON_1]
    result = run(events, [(1, "managed", "2024-07-01"), (2, "managed", "2025-06-01")])
    after = row(result, 2, "after")
    assert after["partial"] and after["days"] == (AS_OF - date(2025, 6, 1)).days + 1
    assert after["proven"] == 1
    assert result.diagnostics.partial == {"managed": 1}
    assert result.cohort[0].people == 1 and result.cohort[0].total_before == 1
    assert any("not yet complete" in note for note in result.diagnostics.notes())


def test_overlapping_custody_spells_are_merged_and_a_running_spell_counts_to_the_as_of_date() -> None:
    events = [
        event(
            5,
            "conviction",
            "2023-12-01",
            "2024-01-01",
            disposal="custody",
            custody_start="2024-01-01",
            release_date="2024-03-01",
        ),
        event(
            5,
            "conviction",
            "2024-01-15",
            "2024-02-01",
            disposal="custody",
            custody_start="2024-02-01",
            release_date="2024-04-01",
        ),
        event(6, "conviction", "2022-12-01", "2023-01-01", disposal="custody", custody_start="2023-01-01"),
    ]
    result = run(events, [(5, "managed", "2024-07-01"), (6, "managed", "2024-07-01")])
    assert row(result, 5, "before")["custody_days"] == 91  # 1 Jan to 31 Mar 2024, counted once
    still_inside = row(result, 6, "after")
    assert still_inside["liberty_days"] == 0 and pd.isna(still_inside["proven_per_365"])
    assert result.diagnostics.always_in_custody == {"managed": 1}
    liberty = next(c for c in result.cohort if c.basis == "liberty" and c.measure == "proven")
    assert liberty.people == 1  # no rate for someone never at liberty, rather than a rate of zero


def test_no_adoption_date_no_events_and_a_future_adoption_are_explained() -> None:
    result = run(
        [],
        [(7, "managed", None), (8, "managed", "2024-01-01"), (9, "managed", "2026-03-01")],
    )
    diag = result.diagnostics
    assert diag.no_anchor == {"managed": 1} and diag.anchor_after_as_of == {"managed": 1}
    assert diag.no_events == {"managed": 1}
    notes = " ".join(diag.notes())
    assert "no adoption date" in notes and "after the as-of date" in notes and "no recorded events" in notes
    assert result.cohort[0].people == 1 and result.cohort[0].total_after == 0


def test_the_window_length_must_be_one_offered() -> None:
    with pytest.raises(MeasureError, match="months: 5 is not one of 3, 6, 12, 24"):
        run([], [(1, "managed", "2024-01-01")], months=5)


def test_three_month_windows() -> None:
    result = run(PERSON_1, [(1, "managed", "2024-07-01")], months=3)
    after = row(result, 1, "after")
    assert after["days"] == 92 and after["custody_days"] == 30  # Jul-Sep 2024; in custody from 1 Sep
    assert after["proven"] == 2


def test_monthly_series_is_relative_to_the_adoption_month() -> None:
    result = run(PERSON_1, [(1, "managed", "2024-07-01")])
    series = result.series.set_index("month")
    assert series.loc[-1, "proven"] == 1  # June 2024
    assert series.loc[0, "proven"] == 1 and series.loc[1, "proven"] == 1  # July, August 2024
    assert series.loc[-13, "proven"] == 1  # the June 2023 caution, outside the 12-month window
    assert series.index.max() == 17  # December 2025 is the last complete month before 1 January 2026


def test_difference_in_differences_and_its_sentence() -> None:
    events = []
    members = []
    # Managed: 4 before, 1 after. Comparison: 4 before, 3 after. Four people each, with noise.
    for person, (before, after) in enumerate([(4, 1), (5, 1), (3, 0), (4, 2)], start=100):
        members.append((person, "managed", "2024-07-01"))
        events += [event(person, "conviction", f"2024-0{1 + i}-10") for i in range(before)]
        events += [event(person, "conviction", f"2024-{8 + i:02d}-10") for i in range(after)]
    for person, (before, after) in enumerate([(4, 3), (5, 3), (3, 2), (4, 4)], start=200):
        members.append((person, "comparison", "2024-07-01"))
        events += [event(person, "conviction", f"2024-0{1 + i}-10") for i in range(before)]
        events += [event(person, "conviction", f"2024-{8 + i:02d}-10") for i in range(after)]
    result = run(events, members)
    comparison = result.comparison("proven")
    assert comparison is not None and comparison.did is not None
    assert comparison.managed.change is not None and comparison.managed.change.estimate == -3.0
    assert comparison.comparison is not None and comparison.comparison.change is not None
    assert comparison.comparison.change.estimate == -1.0
    assert comparison.did.estimate == pytest.approx(-2.0)
    assert comparison.did.low < -2.0 < comparison.did.high
    assert "about 33% of the fall would probably have happened anyway" in comparison.sentence


def test_without_a_comparison_group_the_sentence_says_so() -> None:
    result = run(PERSON_1, [(1, "managed", "2024-07-01")])
    comparison = result.comparison("proven")
    assert comparison is not None and comparison.comparison is None and comparison.did is None
    assert "There is no comparison group" in comparison.sentence


def test_nobody_measured_is_no_figures_not_a_crash() -> None:
    result = run(PERSON_1, [(1, "managed", None), (2, "comparison", "2027-01-01")])
    assert result.people.empty and all(c.people == 0 and c.change is None for c in result.cohort)
    assert result.series.empty
    assert "There is no comparison group" in result.comparisons[0].sentence
