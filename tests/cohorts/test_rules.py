"""Each built-in rule on small hand-worked cases, on DuckDB: window edges, same-day events,
as-of cut-offs, people with no events and people too young."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from openiom.cohorts.engine.definitions import BUILTIN_DIR
from tests.cohorts.conftest import definition_from
from tests.cohorts.world import World

D = dt.date
AS_OF = D(2026, 11, 1)  # "the last 12 months" is 2025-11-02 .. 2026-11-01 inclusive


def builtin_rule(name: str) -> str:
    """A built-in definition's rule, re-indented for definition_from (exercises the shipped files)."""
    rule = yaml.safe_load((BUILTIN_DIR / f"{name}.yaml").read_text())["rule"]
    return "\n".join("  " + line for line in yaml.safe_dump(rule).splitlines()) + "\n"


def days(start: dt.date, *offsets: int) -> list[dt.date]:
    return [start + dt.timedelta(days=o) for o in offsets]


def test_six_convictions_window_edges_same_day_and_as_of(select) -> None:
    w = World()
    for pid in ("EDGE_IN", "EDGE_OUT", "LATE", "ON_AS_OF", "SAME_DAY", "CAUTIONS", "NONE"):
        w.person(pid)
    inside = days(D(2026, 1, 10), 0, 30, 60, 90, 120)
    for d in inside:
        w.event("EDGE_IN", "conviction", d)
        w.event("EDGE_OUT", "conviction", d)
        w.event("LATE", "conviction", d)
        w.event("ON_AS_OF", "conviction", d)
    first = w.event("EDGE_IN", "conviction", D(2025, 10, 1), D(2025, 11, 2))  # first day of the window
    w.event("EDGE_OUT", "conviction", D(2025, 10, 1), D(2025, 11, 1))  # the day before it
    w.event("LATE", "conviction", D(2026, 10, 1), D(2026, 11, 2))  # dealt with after the as-of date
    w.event("ON_AS_OF", "conviction", D(2026, 10, 1), AS_OF)
    for _ in range(6):
        w.event("SAME_DAY", "conviction", D(2026, 3, 3))
        w.event("CAUTIONS", "caution", D(2026, 3, 3))
    chosen = select(w, builtin_rule("persistent-six-convictions"), AS_OF)
    assert set(chosen) == {"SYNTH:EDGE_IN", "SYNTH:ON_AS_OF", "SYNTH:SAME_DAY"}
    reason = chosen["SYNTH:EDGE_IN"].reasons[0]
    assert reason.held and reason.numbers["count"] == 6
    assert reason.text.startswith(
        "6 convictions between 2025-11-02 and 2026-05-10 in the 12 months 2025-11-02 to"
    )
    assert reason.events[0] == first and len(reason.events) == 6


def test_long_career_counts_sanction_occasions(select) -> None:
    w = World()
    w.person("FIFTEEN_DAYS")
    w.person("FOURTEEN_DAYS")
    w.person("ONE_LATE")
    for i in range(15):
        kind = "caution" if i % 3 == 0 else "conviction"
        w.event("FIFTEEN_DAYS", kind, D(2010, 1, 1) + dt.timedelta(days=40 * i))
        # Two offences dealt with on the same day are one occasion.
        w.event("FOURTEEN_DAYS", "conviction", D(2010, 1, 1) + dt.timedelta(days=40 * min(i, 13)))
        w.event("ONE_LATE", "conviction", D(2026, 1, 1) + dt.timedelta(days=22 * i))  # last one after as-of
    chosen = select(w, builtin_rule("long-career-15-sanctions"), AS_OF)
    assert set(chosen) == {"SYNTH:FIFTEEN_DAYS"}
    assert (
        chosen["SYNTH:FIFTEEN_DAYS"]
        .reasons[0]
        .text.startswith("15 separate days of sanctions between 2010-01-01")
    )


def test_chronic_counts_proven_offences_not_out_of_court_disposals(select) -> None:
    w = World()
    w.person("CHRONIC")
    w.person("FOURTEEN")
    for i in range(15):
        w.event("CHRONIC", "conviction", D(2020, 1, 1) + dt.timedelta(days=i // 3))  # same-day offences count
        w.event("FOURTEEN", "out_of_court_disposal" if i == 0 else "caution", D(2020, 1, 1))
    assert set(select(w, builtin_rule("chronic-15-proven-offences"), AS_OF)) == {"SYNTH:CHRONIC"}


def test_top_ten_percent_includes_ties_at_the_cut_off(select) -> None:
    w = World()
    counts = {"P00": 5, "P01": 4, "P02": 4, "P03": 4, "P04": 3} | {f"P{i:02d}": 1 for i in range(5, 20)}
    for pid, n in counts.items():
        w.person(pid)
        for k in range(n):
            w.event(pid, "conviction", D(2026, 2, 1) + dt.timedelta(days=k))
    w.person("OLD")  # offences outside the window: not in the population of 20
    for _ in range(9):
        w.event("OLD", "conviction", D(2025, 11, 1))
    chosen = select(w, builtin_rule("top-10-percent-offences"), AS_OF)
    # 10% of 20 people is 2: P00 (1 has more: 0) and every person with 4 (1 has more) are in.
    assert set(chosen) == {"SYNTH:P00", "SYNTH:P01", "SYNTH:P02", "SYNTH:P03"}
    assert chosen["SYNTH:P01"].reasons[0].numbers | {} == {
        "first": "2026-02-01",
        "last": "2026-02-04",
        "count": 4,
        "rank": 2,
        "population": 20,
        "percent": 10.0,
        "selected": 4,
        "selected_percent": 20.0,
        "ties": "include",
    }
    # The reason says the share is larger than the 10% asked for, and why.
    assert (
        chosen["SYNTH:P01"]
        .reasons[0]
        .text.endswith("top 10% selected, with everyone tied at the cut-off: 4 of 20 people (20%)")
    )


def tied_world() -> World:
    """P00 has 5; P01, P02, P03 are tied on 4 and differ only in when their last offence was."""
    w = World()
    last_day = {"P01": 2, "P02": 9, "P03": 5}
    counts = {"P00": 5, "P01": 4, "P02": 4, "P03": 4} | {f"P{i:02d}": 1 for i in range(4, 20)}
    for pid, n in counts.items():
        w.person(pid)
        for k in range(n):
            offset = last_day[pid] if pid in last_day and k == n - 1 else k
            w.event(pid, "conviction", D(2026, 2, 1) + dt.timedelta(days=offset))
    return w


TOP_EXACT = (
    "  top_percent:\n"
    "    events: proven_offences\n"
    "    within: {months: 12}\n"
    "    percent: 10\n"
    "    ties: exact\n"
)


def test_top_percent_exact_share_breaks_ties_by_most_recent_event(select) -> None:
    chosen = select(tied_world(), TOP_EXACT, AS_OF)
    # 10% of 20 is exactly 2: P00, then of the three tied on 4, P02 whose last offence is latest.
    assert set(chosen) == {"SYNTH:P00", "SYNTH:P02"}
    reason = chosen["SYNTH:P02"].reasons[0]
    assert (reason.numbers["rank"], reason.numbers["selected"], reason.numbers["ties"]) == (
        2,
        2,
        "exact by most_recent",
    )
    assert reason.text.endswith(
        "exactly the top 10% selected, ties broken by most recent matching event first, then record id: "
        "2 of 20 people (10%)"
    )


def test_top_percent_exact_share_by_record_id(select) -> None:
    chosen = select(tied_world(), TOP_EXACT + "    tie_break: record_id\n", AS_OF)
    assert set(chosen) == {"SYNTH:P00", "SYNTH:P01"}


def test_top_percent_tie_break_needs_exact_ties() -> None:
    from openiom.cohorts.engine import DefinitionError

    with pytest.raises(DefinitionError, match=r"rule\.top_percent: Value error, tie_break applies only"):
        definition_from(TOP_EXACT.replace("exact", "include") + "    tie_break: record_id\n")
    with pytest.raises(
        DefinitionError, match=r"rule\.top_percent\.ties: Input should be 'include' or 'exact'"
    ):
        definition_from(TOP_EXACT.replace("exact", "some"))


def test_ten_offences_in_any_91_days(select) -> None:
    w = World()
    start = D(2026, 3, 1)
    spread = [0, 10, 20, 30, 40, 50, 60, 70, 80]
    for pid, last in (("SPAN91", 90), ("SPAN92", 91)):
        w.person(pid)
        for d in days(start, *spread, last):
            w.event(pid, "conviction", d, d + dt.timedelta(days=5))
    w.person("ONE_DAY")
    for _ in range(10):
        w.event("ONE_DAY", "caution", D(2026, 6, 6))
    w.person("TOO_OLD")  # ten within 91 days, but the first committed before the 12-month window
    for d in days(D(2025, 11, 1), *spread, 90):
        w.event("TOO_OLD", "conviction", d, D(2026, 5, 1))
    chosen = select(w, builtin_rule("ten-offences-any-3-months"), AS_OF)
    assert set(chosen) == {"SYNTH:SPAN91", "SYNTH:ONE_DAY"}
    reason = chosen["SYNTH:SPAN91"].reasons[0]
    assert (reason.numbers["first"], reason.numbers["last"], reason.numbers["count"]) == (
        "2026-03-01",
        "2026-05-30",
        10,
    )
    assert len(reason.events) == 10


def test_eight_arrests_in_the_last_year(select) -> None:
    w = World()
    w.person("EIGHT")
    w.person("SEVEN")
    for i in range(8):
        w.event("EIGHT", "arrest", AS_OF - dt.timedelta(days=40 * i))  # includes one on the as-of date
        w.event("SEVEN", "arrest", D(2025, 11, 1) if i == 0 else AS_OF - dt.timedelta(days=40 * i))
    assert set(select(w, builtin_rule("eight-arrests-last-year"), AS_OF)) == {"SYNTH:EIGHT"}


def test_neighbourhood_crime_score_by_hand(select) -> None:
    w = World()
    w.person("SEVENTY")
    w.event(
        "SEVENTY", "conviction", D(2026, 5, 2), D(2026, 6, 1), code="028/01"
    )  # burglary 10 x 4 (6 months)
    w.event(
        "SEVENTY", "conviction", D(2026, 5, 1), D(2026, 6, 1), code="034/01"
    )  # robbery 10 x 3 (12 months)
    w.person("FIFTY")
    w.event("FIFTY", "conviction", D(2026, 5, 1), D(2026, 6, 1), code="028/01")  # 10 x 3
    w.event("FIFTY", "caution", D(2025, 11, 1), D(2026, 6, 1), code="039/01")  # theft from person 8 x 2 = 16
    w.event("FIFTY", "conviction", D(2023, 11, 2), D(2024, 1, 1), code="046/01")  # shoplifting 1 x 1
    w.event("FIFTY", "conviction", D(2023, 11, 1), D(2024, 1, 1), code="028/01")  # older than 36 months: 0
    w.event("FIFTY", "arrest", D(2026, 10, 1), code="028/01")  # arrests are not proven offences
    chosen = select(w, builtin_rule("neighbourhood-crime-rfg"), AS_OF)
    assert set(chosen) == {"SYNTH:SEVENTY"}
    assert chosen["SYNTH:SEVENTY"].reasons[0].numbers["score"] == 70
    rule = builtin_rule("neighbourhood-crime-rfg").replace("at_least: 60", "at_least: 47")
    chosen = select(w, rule, AS_OF)
    assert chosen["SYNTH:FIFTY"].reasons[0].numbers["score"] == 47
    assert chosen["SYNTH:FIFTY"].reasons[0].numbers["count"] == 3


@pytest.mark.parametrize(("threshold", "selected"), [(17, True), (18, False)])
def test_ogrs3_worked_example_through_the_engine(select, threshold: int, selected: bool) -> None:
    w = World()
    w.person("EXAMPLE", dob=D(1996, 3, 15), sex="M")  # 30 on the as-of date
    w.event("EXAMPLE", "conviction", D(2017, 5, 1), D(2017, 6, 1), code="049/01")  # first sanction at 21
    w.event("EXAMPLE", "conviction", D(2026, 3, 1), D(2026, 4, 1), code="008/10")  # current at 30, -0.0607
    w.person("NO_SANCTION")
    w.event("NO_SANCTION", "arrest", D(2026, 1, 1))
    w.person("TOO_YOUNG", dob=D(2017, 1, 1))
    w.event("TOO_YOUNG", "caution", D(2026, 1, 1))
    w.person("NOT_RECORDED", sex="X")
    w.event("NOT_RECORDED", "caution", D(2026, 1, 1))
    rule = f"  ogrs3:\n    horizon_years: 2\n    at_least_percent: {threshold}\n"
    chosen = select(w, rule, AS_OF)
    assert set(chosen) == ({"SYNTH:EXAMPLE"} if selected else set())
    if selected:
        numbers = chosen["SYNTH:EXAMPLE"].reasons[0].numbers
        assert (numbers["one_year_percent"], numbers["two_year_percent"], numbers["band"]) == (9, 17, "Low")
        assert (numbers["total_sanctions"], numbers["age_at_first"], numbers["age_at_current"]) == (2, 21, 30)
        assert numbers["linear"] == pytest.approx(-1.326 + 0.46306 - 2.81664 - 0.0607, abs=1e-4)


def test_ogrs3_weight_is_the_heaviest_offence_on_the_latest_occasion(select) -> None:
    w = World()
    w.person("THREE", dob=D(1990, 1, 1), sex="M")
    w.event("THREE", "conviction", D(2020, 1, 1), D(2020, 2, 1), code="049/01")  # earlier: 0.6612
    w.event("THREE", "conviction", D(2026, 3, 1), D(2026, 4, 1), code="034/01")  # latest day: -0.6348
    w.event("THREE", "conviction", D(2026, 3, 2), D(2026, 4, 1), code="008/10")  # same day: -0.0607
    chosen = select(w, "  ogrs3:\n    horizon_years: 2\n    at_least_percent: 1\n", AS_OF)
    reason = chosen["SYNTH:THREE"].reasons[0]
    assert reason.numbers["total_sanctions"] == 2
    assert "offence weight -0.0607" in reason.text


def test_serial_domestic_abuse(select) -> None:
    w = World()
    for pid, dob in (
        ("SERIAL", D(1990, 1, 1)),
        ("FIFTEEN", D(2010, 11, 2)),
        ("SIXTEEN", D(2010, 11, 1)),
        ("ONE_VICTIM", D(1990, 1, 1)),
        ("OLD_VICTIM", D(1990, 1, 1)),
        ("NOT_DA", D(1990, 1, 1)),
    ):
        w.person(pid, dob=dob)
    for pid in ("SERIAL", "FIFTEEN", "SIXTEEN"):
        w.event(pid, "arrest", D(2026, 1, 1), victim="V1", domestic_abuse=True)
        w.event(pid, "charge", D(2026, 2, 1), victim="V2", domestic_abuse=True)
    w.event("ONE_VICTIM", "arrest", D(2026, 1, 1), victim="V1", domestic_abuse=True)
    w.event("ONE_VICTIM", "conviction", D(2026, 1, 1), D(2026, 3, 1), victim="V1", domestic_abuse=True)
    w.event("OLD_VICTIM", "arrest", D(2023, 11, 2), victim="V1", domestic_abuse=True)  # first day of 3 years
    w.event("OLD_VICTIM", "arrest", D(2023, 11, 1), victim="V2", domestic_abuse=True)  # the day before
    w.event("NOT_DA", "arrest", D(2026, 1, 1), victim="V1")
    w.event("NOT_DA", "arrest", D(2026, 1, 1), victim="V2", domestic_abuse=True)
    chosen = select(w, builtin_rule("serial-domestic-abuse"), AS_OF)
    assert set(chosen) == {"SYNTH:SERIAL", "SYNTH:SIXTEEN"}
    age, victims = chosen["SYNTH:SIXTEEN"].reasons
    assert age.text == "aged 16 on 2026-11-01 (needs at least 16)"
    assert victims.numbers["count"] == 2 and len(victims.events) == 2


def test_combinators_and_people_with_no_events(select) -> None:
    w = World()
    w.person("YOUNG_CONVICTED", dob=D(2010, 1, 1))
    w.event("YOUNG_CONVICTED", "conviction", D(2026, 1, 1))
    w.person("ADULT_CONVICTED")
    w.event("ADULT_CONVICTED", "conviction", D(2026, 1, 1))
    w.person("YOUNG_NO_EVENTS", dob=D(2010, 1, 1))
    w.person("ADULT_ARRESTED")
    w.event("ADULT_ARRESTED", "arrest", D(2026, 1, 1))
    convicted = "{count: {events: convictions, at_least: 1}}"
    young = "{not: {age: {at_least: 18}}}"
    assert set(select(w, f"  and:\n    - {convicted}\n    - {young}\n", AS_OF)) == {"SYNTH:YOUNG_CONVICTED"}
    assert set(select(w, f"  or:\n    - {convicted}\n    - {young}\n", AS_OF)) == {
        "SYNTH:YOUNG_CONVICTED",
        "SYNTH:ADULT_CONVICTED",
        "SYNTH:YOUNG_NO_EVENTS",
    }
    never = select(w, f"  not: {convicted}\n", AS_OF)
    assert set(never) == {"SYNTH:YOUNG_NO_EVENTS", "SYNTH:ADULT_ARRESTED"}
    reason = never["SYNTH:YOUNG_NO_EVENTS"].reasons[0]
    assert not reason.held and reason.numbers["count"] == 0 and reason.events == ()


def test_builtin_definitions_cite_sources() -> None:
    from openiom.cohorts.engine import builtin_definitions

    found = builtin_definitions()
    assert len(found) >= 9
    assert all(d.source and d.version and d.title for d in found)
    assert definition_from("  age: {at_least: 1}\n").leaves()[0].kind == "age"
