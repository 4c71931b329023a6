"""The tracker against a truth: a synthetic area with a scheme whose effect is planted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from openiom.performance.files import measure_files
from openiom.synth.generate import synthesise
from openiom.synth.iom_effect import plant_scheme

AS_OF = date(2026, 9, 30)


@pytest.fixture(scope="module")
def area(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("area")
    made = synthesise(out, people=60_000, seed=11, as_of=AS_OF, fmt="parquet")
    return made.people_path, made.events_path


def test_difference_in_differences_recovers_the_planted_effect_and_the_naive_figure_overstates_it(
    area: tuple[Path, Path], tmp_path: Path
) -> None:
    people, events = area
    scheme = plant_scheme(events, tmp_path / "scheme", as_of=AS_OF, effect=0.4, seed=5)
    assert scheme.managed_people > 150 and scheme.comparison_people > 150
    result = measure_files(people, scheme.events, scheme.managed, scheme.comparison, as_of=AS_OF)
    proven = result.comparison("proven")
    assert proven is not None and proven.did is not None
    assert proven.managed.change is not None and proven.comparison is not None
    # The truth: proven offences taken out of the complete after windows, per managed person.
    complete = result.people[(result.people["group"] == "managed") & ~result.people["partial"]]
    after = complete[complete["window"] == "after"]
    con = duckdb.connect()
    con.register("after_windows", after[["person_key", "window_start", "window_end"]])
    con.execute(
        f"create table people as select row_number() over () as person_key, source_id from read_parquet('{people}')"
    )
    removed = con.execute(
        f"""select count(*) from read_parquet('{scheme.removed}') r
        join people p on p.source_id = r.person_source_id
        join after_windows w on w.person_key = p.person_key
        where r.event_type in ('conviction', 'caution') and cast(r.outcome_date as date) <= DATE '{AS_OF}'
          and cast(r.offence_date as date) >= w.window_start and cast(r.offence_date as date) < w.window_end"""
    ).fetchone()
    assert removed is not None
    true_effect = -removed[0] / proven.managed.people
    assert true_effect < 0
    assert proven.did.low <= true_effect <= proven.did.high, (true_effect, proven.did)
    naive = proven.managed.change
    assert naive.estimate < true_effect  # the naive fall is bigger than what IOM did
    assert naive.high < true_effect  # and not by chance: its whole interval is below the truth
    assert "would probably have happened anyway" in proven.sentence
