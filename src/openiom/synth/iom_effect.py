"""A scheme run in the synthetic area, with a known (planted) effect of IOM on offending.

`iom synth` writes an area whose offenders already slow down and stop on their own. This adds an
IOM scheme to it the way real schemes are run, so that the performance tracker can be checked
against a truth:

- every quarter over the last two years, people with `threshold` or more proven offences in the
  previous 12 months *qualify* (a selection definition run on that date): selection happens at
  their peak, so their offending falls afterwards whatever is done;
- of each quarter's new qualifiers, a random `adopt_share` are adopted (the managed people, their
  adoption date the qualifying date) and the rest are not (the comparison group, aligned on the
  date they qualified);
- each event of a managed person dated on or after adoption is removed with probability `effect`:
  their offending falls by exactly that fraction on top of the natural decline.

Because adoption is random among qualifiers, the comparison group's change is what the managed
people would have shown without IOM, so a difference-in-differences recovers the planted effect
while the naive before/after overstates it. Everyone is synthetic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from openiom.vocabulary import PROVEN, sql_list

STREAMS = ("fixed", "flex", "free")
QUARTERS = 8


@dataclass(frozen=True)
class PlantedScheme:
    events: Path
    managed: Path  # source_id, adoption_date, stream
    comparison: Path  # source_id, qualified_on
    removed: Path  # the events taken out, for checking the truth
    effect: float
    managed_people: int
    comparison_people: int
    removed_events: int


def _quarter_starts(as_of: date, quarters: int) -> list[date]:
    first = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    out = []
    for k in range(quarters - 1, -1, -1):
        months = first.year * 12 + first.month - 1 - 3 * k
        out.append(date(months // 12, months % 12 + 1, 1))
    return out


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _reader(path: Path) -> str:
    if path.name.lower().endswith(".parquet"):
        return f"read_parquet({_literal(path)})"
    return f"read_csv({_literal(path)}, header=true, all_varchar=true)"


def plant_scheme(
    events: Path,
    out_dir: Path,
    *,
    as_of: date,
    effect: float = 0.3,
    threshold: int = 3,
    adopt_share: float = 0.5,
    quarters: int = QUARTERS,
    seed: int = 1,
) -> PlantedScheme:
    """Write the area's events with the effect applied, and the managed and comparison lists."""
    if not 0 <= effect < 1:
        raise ValueError(f"effect: {effect} must be at least 0 and below 1")
    if not 0 < adopt_share < 1:
        raise ValueError(f"adopt_share: {adopt_share} must be between 0 and 1")
    out_dir.mkdir(parents=True, exist_ok=True)
    parquet = events.name.lower().endswith(".parquet")
    suffix = ".parquet" if parquet else ".csv"
    con = duckdb.connect()
    con.execute(f"create temp view ev as select * from {_reader(events)}")  # noqa: S608
    starts = _quarter_starts(as_of, quarters)
    con.execute("create temp table q(qualified_on date)")
    con.executemany("insert into q values (?)", [[d] for d in starts])
    con.execute(
        f"""create temp table qualified as
        with proven as (
            select person_source_id as source_id, cast(outcome_date as date) as outcome_date from ev
            where event_type in {sql_list(PROVEN)}
        )
        select p.source_id, min(q.qualified_on) as qualified_on
        from (select source_id, q.qualified_on from proven p join q
              on p.outcome_date < q.qualified_on
             and p.outcome_date >= cast(q.qualified_on - interval 12 month as date)
              group by all having count(*) >= $threshold) p
        join q using (qualified_on)
        group by p.source_id""",  # noqa: S608 - fixed vocabulary codes
        {"threshold": threshold},
    )
    con.execute(
        """create temp table decided as select source_id, qualified_on,
            (hash(source_id || ':adopt:' || $seed) % 1000000) / 1e6 < $share as adopted,
            $streams[1 + cast(hash(source_id || ':stream:' || $seed) % 3 as integer)] as stream
        from qualified""",
        {"seed": seed, "share": adopt_share, "streams": list(STREAMS)},
    )
    con.execute(
        """create temp table planted as
        select ev.*, d.source_id is not null and cast(ev.offence_date as date) >= d.qualified_on
            and (hash(ev.source_id || ':effect:' || $seed) % 1000000) / 1e6 < $effect as removed
        from ev left join (select source_id, qualified_on from decided where adopted) d
          on d.source_id = ev.person_source_id""",
        {"seed": seed, "effect": effect},
    )
    paths = {
        "events": out_dir / f"events{suffix}",
        "removed": out_dir / f"removed{suffix}",
        "managed": out_dir / "managed.csv",
        "comparison": out_dir / "comparison.csv",
    }
    fmt = "(format parquet)" if parquet else "(header true)"
    columns = [c for c in con.execute("select * from ev limit 0").df().columns]
    selected = ", ".join(f'"{c}"' for c in columns)
    con.execute(
        f"copy (select {selected} from planted where not removed) to {_literal(paths['events'])} {fmt}"  # noqa: S608
    )
    con.execute(
        f"copy (select {selected} from planted where removed) to {_literal(paths['removed'])} {fmt}"  # noqa: S608
    )
    managed_sql = "select source_id, qualified_on as adoption_date, stream from decided where adopted"
    comparison_sql = "select source_id, qualified_on from decided where not adopted"
    for sql, path in ((managed_sql, paths["managed"]), (comparison_sql, paths["comparison"])):
        con.execute(f"copy ({sql} order by source_id) to {_literal(path)} (header true)")
    counts = con.execute(
        "select count(*) filter (where adopted), count(*) filter (where not adopted), "
        "(select count(*) from planted where removed) from decided"
    ).fetchone()
    assert counts is not None
    con.close()
    result = PlantedScheme(
        paths["events"],
        paths["managed"],
        paths["comparison"],
        paths["removed"],
        effect,
        int(counts[0]),
        int(counts[1]),
        int(counts[2]),
    )
    manifest = {
        "effect": effect,
        "threshold": threshold,
        "adopt_share": adopt_share,
        "quarters": [d.isoformat() for d in starts],
        "seed": seed,
        "managed_people": result.managed_people,
        "comparison_people": result.comparison_people,
        "removed_events": result.removed_events,
    }
    (out_dir / "planted.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return result
