"""compare, stability and concentration on hand-worked worlds (DuckDB)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from openiom.cohorts.engine import compare, concentration, file_source, stability
from openiom.cohorts.engine.terms import Window
from tests.cohorts.conftest import definition_from
from tests.cohorts.world import World

D = dt.date


def test_compare_sizes_overlap_jaccard_and_unique(tmp_path: Path) -> None:
    w = World()
    for pid in ("A", "B", "C", "D"):
        w.person(pid)
    for pid, convictions, arrests in (("A", 2, 0), ("B", 2, 2), ("C", 0, 2), ("D", 0, 0)):
        for k in range(convictions):
            w.event(pid, "conviction", D(2026, 1, 1 + k))
        for k in range(arrests):
            w.event(pid, "arrest", D(2026, 2, 1 + k))
    people, events = w.write(tmp_path)
    source = file_source(people=people, events=events)
    convicted = definition_from("  count: {events: convictions, at_least: 2}\n", id="convicted")
    arrested = definition_from("  count: {events: arrests, at_least: 2}\n", id="arrested")
    result = compare(source, [convicted, arrested], D(2026, 6, 1))
    assert result.sizes == {"convicted@1": 2, "arrested@1": 2}
    assert result.overlaps == [
        {"a": "convicted@1", "b": "arrested@1", "both": 1, "either": 3, "jaccard": 0.3333}
    ]
    assert result.unique == {"convicted@1": ["SYNTH:A"], "arrested@1": ["SYNTH:C"]}


def test_stability_retained_desisted_and_entrants(tmp_path: Path) -> None:
    w = World()
    start = D(2025, 6, 30)
    for pid in ("STAYS", "DESISTS", "REOFFENDS", "LATE_PROOF", "NEW"):
        w.person(pid)
    for pid in ("STAYS", "DESISTS", "REOFFENDS", "LATE_PROOF"):
        for k in range(3):
            w.event(pid, "conviction", D(2025, 3, 1 + k))
    for k in range(3):  # selected again a year later
        w.event("STAYS", "conviction", D(2026, 3, 1 + k))
        w.event("NEW", "conviction", D(2026, 3, 1 + k))
    w.event("REOFFENDS", "caution", D(2025, 12, 1), D(2026, 1, 5))  # one further proven offence
    # Committed within the year but proven after the 6-month waiting period: still "desisted".
    w.event("LATE_PROOF", "conviction", D(2026, 6, 1), D(2027, 1, 15))
    w.event("DESISTS", "arrest", D(2026, 1, 1))  # an arrest is not a proven offence
    rule = definition_from("  count: {events: convictions, within: {months: 12}, at_least: 3}\n")
    people, events = w.write(tmp_path)
    found = stability(file_source(people=people, events=events), rule, start)
    assert (found.start, found.end) == (start, D(2026, 6, 30))
    assert (found.selected_at_start, found.selected_again, found.not_selected_again) == (4, 1, 3)
    assert (found.desisted_unaided, found.entrants) == (2, 1)
    assert found.retained_share == pytest.approx(0.25)


def test_concentration_top_shares_lorenz_and_long_careers(tmp_path: Path) -> None:
    w = World()
    as_of = D(2026, 6, 30)
    # 20 offenders in the last 12 months: one with 20 offences, one with 10, eighteen with 1 (48 offences).
    counts = {"TOP": 20, "SECOND": 10} | {f"P{i:02d}": 1 for i in range(18)}
    for pid, n in counts.items():
        w.person(pid)
        for k in range(n):
            w.event(pid, "conviction", D(2026, 1, 1) + dt.timedelta(days=k % 150))
    for k in range(15):  # TOP also has a long career: 15+ sanction occasions in all
        w.event("TOP", "caution", D(2015, 1, 1) + dt.timedelta(days=30 * k))
    w.person("QUIET")
    w.event("QUIET", "conviction", D(2020, 1, 1))  # outside the window: not in the population
    people, events = w.write(tmp_path)
    source = file_source(people=people, events=events)
    result = concentration(source, as_of, within=Window(months=12))
    assert (result.offenders, result.offences) == (20, 48)
    # top 1% and 5% are both 1 person (rounded up); top 10% is 2 people.
    assert result.top_shares == {
        1: pytest.approx(20 / 48),
        5: pytest.approx(20 / 48),
        10: pytest.approx(30 / 48),
    }
    assert result.lorenz == [
        (0.0, 0.0),
        (0.9, pytest.approx(18 / 48)),
        (0.95, pytest.approx(28 / 48)),
        (1.0, 1.0),
    ]
    assert result.long_career_share == pytest.approx(1 / 20)
    assert 0 < result.gini < 1
