"""`iom cohort ... --people --events` reports every row the analysis drops or doubts, with counts
and examples, and `--strict` makes any of them a failure (the extract-validation cases of issue 15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from openiom.cohorts.engine import file_source
from tests.cohorts.world import World
from tests.conftest import iom

D = dt.date


def doubtful_world() -> World:
    w = World()
    w.person("GOOD")
    w.person("NODOB")
    w.people[-1]["date_of_birth"] = None
    w.person("GOOD")  # the same record twice
    for k in range(7):
        w.event("GOOD", "conviction", D(2026, 1, 1) + dt.timedelta(days=9 * k))
    w.event("GOOD", "burglary", D(2026, 2, 1))  # not an event type
    w.event("GOOD", "conviction", D(2026, 3, 1), code="999/99")  # not in the reference data
    w.event("GOOD", "conviction", D(2026, 5, 1), D(2026, 4, 1))  # offence after its outcome
    w.event("NODOB", "caution", D(2026, 4, 1))
    w.events[-1]["outcome_date"] = None
    w.event("NODOB", "arrest", D(2026, 4, 2))
    w.events[-1]["offence_date"] = None
    w.event("NOBODY", "arrest", D(2026, 4, 3))  # whose person is not in the people file
    return w


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_every_dropped_or_doubted_row_is_counted_with_examples(tmp_path: Path, fmt: str) -> None:
    people, events = doubtful_world().write(tmp_path, fmt=fmt)
    source = file_source(people=people, events=events, check=True)
    try:
        report = source.extract
    finally:
        source.close()
    found = {f.check.name: (f.rows, f.examples) for f in report.findings}
    assert found == {
        "person_not_found": (1, ("SYNTH:E00013",)),
        "unknown_event_type": (1, ("SYNTH:E00008 (burglary)",)),
        "no_outcome_date": (1, ("SYNTH:E00011",)),
        "no_offence_date": (1, ("SYNTH:E00012",)),
        "offence_after_outcome": (1, ("SYNTH:E00010 (2026-05-01 > 2026-04-01)",)),
        "unknown_offence_code": (1, ("SYNTH:E00009 (999/99)",)),
        "duplicate_person": (1, ("SYNTH:GOOD",)),
        "no_date_of_birth": (1, ("SYNTH:NODOB",)),
    }
    assert (report.people_rows, report.event_rows) == (3, 13)


def run(*args: str) -> Any:
    return iom(["cohort", *args])


def test_the_command_reports_the_problems_and_strict_fails(tmp_path: Path) -> None:
    people, events = doubtful_world().write(tmp_path)
    files = ["--people", str(people), "--events", str(events), "--as-of", "2026-11-01"]
    result = run("identify", "-d", "persistent-six-convictions", *files)
    assert result.exit_code == 0, result.output
    assert "Extract checked: 3 people and 13 events; 8 problem(s):" in result.output
    assert "events: 1 row(s) doubted: offence_code is not in the reference data" in result.output
    assert "for example SYNTH:E00009 (999/99)" in result.output
    out = tmp_path / "out.json"
    strict = run("identify", "-d", "persistent-six-convictions", *files, "--strict", "--output", str(out))
    assert strict.exit_code == 1
    assert "--strict: 8 problem(s) in the extract (listed above); nothing was analysed" in strict.output
    assert not out.exists()


def test_a_clean_extract_says_so_and_passes_strict(tmp_path: Path) -> None:
    w = World()
    w.person("GOOD")
    w.event("GOOD", "conviction", D(2026, 1, 1))
    people, events = w.write(tmp_path)
    result = run(
        "compare", "--people", str(people), "--events", str(events), "--as-of", "2026-11-01", "--strict"
    )
    assert result.exit_code == 0, result.output
    assert "Extract checked: 1 people and 1 events, no problems" in result.output
