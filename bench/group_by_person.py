"""Benchmark: the cohort engine's basic step, counting events per person, with and without DuckDB's
perfect-hash aggregation (which `file_source` switches on, sources.PERFECT_HASH_MAX_BITS).

    python -m bench.group_by_person [--people 1000000] [--events 8000000]

Both runs use the same table of events with a dense person number 1..N, as the engine prepares it,
and the same query (count, first and last day per person among a filtered subset); the baseline is
DuckDB's default hash aggregation, measured in the same run. Best of five for each.
"""

from __future__ import annotations

import argparse
import time

import duckdb

from bench.common import write_result

QUERY = (
    "SELECT sum(n), sum(first), sum(last) FROM (SELECT pid, count(*) AS n, min(day) AS first, max(day) AS last "
    "FROM events WHERE kind < 3 GROUP BY pid)"
)


def best(con: duckdb.DuckDBPyConnection, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        con.execute(QUERY).fetchall()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=8_000_000)
    args = parser.parse_args()
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE events AS SELECT (hash(range) % {args.people})::BIGINT + 1 AS pid, "
        "(hash(range * 7) % 5000)::BIGINT AS day, (hash(range * 13) % 5)::INTEGER AS kind "
        f"FROM range({args.events})"
    )
    plan = con.execute("EXPLAIN " + QUERY).fetchall()[0][1]
    assert "PERFECT_HASH" not in plan
    default = best(con)
    con.execute(f"SET perfect_ht_threshold = {max(12, args.people.bit_length())}")
    plan = con.execute("EXPLAIN " + QUERY).fetchall()[0][1]
    assert "PERFECT_HASH_GROUP_BY" in plan, "DuckDB did not choose the perfect-hash aggregate"
    perfect = best(con)
    ratio = default / perfect
    print(
        f"{args.events:,} events, {args.people:,} people: hash aggregate {default:.3f} s, "
        f"perfect-hash aggregate {perfect:.3f} s: {ratio:.2f}x faster"
    )
    write_result(
        "group_by_person",
        {
            "people": args.people,
            "events": args.events,
            "hash_aggregate_seconds": round(default, 3),
            "perfect_hash_seconds": round(perfect, 3),
            "speedup": round(ratio, 2),
        },
    )


if __name__ == "__main__":
    main()
