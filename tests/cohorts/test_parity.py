"""One World, every built-in definition plus a combinator rule, identical on every engine:
DuckDB (files), Spark (files, local mode), SQLite and PostgreSQL (the application database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from openiom.cohorts.engine import Source, builtin_definitions, file_source, identify
from openiom.cohorts.engine.analytics import compare_results, concentration, stability
from tests.cohorts.conftest import application_database, definition_from
from tests.cohorts.world import World

D = dt.date
AS_OF = D(2026, 11, 1)
CODES = ["028/01", "034/01", "039/01", "046/01", "049/01", "048/01", "008/10", "105/01", "092/03"]
TYPES = ["conviction", "conviction", "caution", "arrest", "charge", "out_of_court_disposal"]


def parity_world() -> World:
    """Forty people with deterministic but varied histories (no randomness: a fixed recipe)."""
    w = World()
    for i in range(40):
        pid = f"P{i:03d}"
        w.person(pid, dob=D(1960 + i, 1 + i % 12, 1 + i % 28), sex="MFX"[i % 3] if i % 7 else "M")
        for k in range((i * 7) % 23):
            day = D(2013, 1, 1) + dt.timedelta(days=(i * 37 + k * (131 - 3 * (i % 11))) % 5000)
            w.event(
                pid,
                TYPES[(i + k) % len(TYPES)],
                day,
                day + dt.timedelta(days=(k * 5) % 60),
                code=CODES[(i * 3 + k) % len(CODES)],
                victim=f"V{(i + k) % 4}" if (i + k) % 3 == 0 else None,
                domestic_abuse=(i + k) % 3 == 0,
            )
        if i % 5 == 0:  # a burst: 11 proven offences within 91 days of each other, recently
            for k in range(11):
                day = D(2026, 2, 1) + dt.timedelta(days=k * 9)
                w.event(pid, "conviction", day, day + dt.timedelta(days=20), code=CODES[k % 3])
        if i % 6 == 1:  # eight or nine arrests in the last year, one on the as-of date
            for k in range(8 + i % 2):
                w.event(pid, "arrest", AS_OF - dt.timedelta(days=k * 45))
        if i % 4 == 2:  # domestic abuse against two victims, the second on the 3-year boundary
            w.event(pid, "arrest", D(2025, 5, 5), victim="DV1", domestic_abuse=True)
            w.event(pid, "arrest", D(2023, 11, 2 - i % 3 // 2), victim="DV2", domestic_abuse=True)
    return w


COMBINED = definition_from(
    "  or:\n"
    "    - and:\n"
    "        - {count: {events: arrests, within: {years: 2}, at_least: 2}}\n"
    "        - {not: {age: {at_least: 40}}}\n"
    "    - {rolling_count: {events: all_events, period_days: 30, at_least: 3}}\n",
    id="combined",
)


# Exact shares with each tie-break: the people tied at the cut-off must be broken the same way
# on every engine (by the latest event, then by record id compared byte by byte).
TOP_EXACT = [
    definition_from(
        "  top_percent:\n"
        "    events: all_events\n"
        "    within: {years: 5}\n"
        "    percent: 15\n"
        "    ties: exact\n"
        f"    tie_break: {tie_break}\n",
        id=f"top-exact-{tie_break.replace('_', '-')}",
    )
    for tie_break in ("most_recent", "record_id")
]


def snapshot(source: Source) -> dict[str, Any]:
    out: dict[str, Any] = {}
    results = [identify(source, d, AS_OF) for d in [*builtin_definitions(), COMBINED, *TOP_EXACT]]
    for result in results:
        out[result.definition.label] = [
            (c.person_key, [r.as_dict() for r in c.reasons]) for c in result.candidates
        ]
    comparison = compare_results(results)
    out["compare"] = (comparison.sizes, comparison.overlaps, comparison.unique)
    out["stability"] = stability(source, COMBINED, D(2025, 6, 30))
    conc = concentration(source, AS_OF)
    out["concentration"] = (
        conc.offenders,
        conc.offences,
        conc.top_shares,
        conc.lorenz,
        conc.long_career_share,
    )
    return out


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    people, events = parity_world().write(tmp_path_factory.mktemp("duckdb"))
    source = file_source(people=people, events=events)
    found = snapshot(source)
    source.close()
    return found


def test_duckdb_selects_someone_for_every_definition(expected: dict[str, Any]) -> None:
    # Parity is only meaningful if each rule actually selects people in this world.
    empty = [label for label, rows in expected.items() if isinstance(rows, list) and not rows]
    assert empty == []


def test_duckdb_reads_csv_like_parquet(expected: dict[str, Any], tmp_path: Path) -> None:
    people, events = parity_world().write(tmp_path, fmt="csv")
    assert snapshot(file_source(people=people, events=events)) == expected


@pytest.mark.spark
def test_spark_matches_duckdb(expected: dict[str, Any], spark: Any, tmp_path: Path) -> None:
    people, events = parity_world().write(tmp_path)
    assert snapshot(file_source(people=people, events=events, engine="spark", spark=spark)) == expected


def test_sqlite_application_database_matches_duckdb(
    expected: dict[str, Any], tmp_path: Path, django_db_blocker: Any
) -> None:
    with application_database("sqlite", parity_world(), tmp_path, django_db_blocker) as source:
        assert source.snapshot["backend"] == "sqlite"
        assert snapshot(source) == expected


@pytest.mark.postgres
def test_postgres_application_database_matches_duckdb(
    expected: dict[str, Any], tmp_path: Path, django_db_blocker: Any
) -> None:
    with application_database("postgres", parity_world(), tmp_path, django_db_blocker) as source:
        assert source.snapshot["backend"] == "postgres"
        assert snapshot(source) == expected


def test_sqlite_snapshot_in_duckdb_matches_duckdb(
    expected: dict[str, Any], tmp_path: Path, django_db_blocker: Any
) -> None:
    with application_database("sqlite", parity_world(), tmp_path, django_db_blocker, snapshot=True) as source:
        assert source.engine == "snapshot" and source.snapshot["copied_to"] == "duckdb"
        assert snapshot(source) == expected


@pytest.mark.postgres
def test_postgres_snapshot_in_duckdb_matches_duckdb(
    expected: dict[str, Any], tmp_path: Path, django_db_blocker: Any
) -> None:
    with application_database(
        "postgres", parity_world(), tmp_path, django_db_blocker, snapshot=True
    ) as source:
        assert source.snapshot["backend"] == "postgres"
        assert snapshot(source) == expected
