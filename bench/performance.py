"""Performance tracker benchmark: the dashboard's figures for a scheme of 5,000 managed people in an
area of 1 million people (the `iom synth` generator, with a scheme planted by
openiom.synth.iom_effect), against the same figures hand-written as DuckDB SQL in the same run.

    python -m bench.performance [--people 1000000] [--managed 5000] [--repeats 3]

The area is generated once into bench/data/ (its generation is timed). Reading the files
(evaluation.histories.load_histories) is timed separately from the figures: the dashboard computes
its figures from events already loaded. Targets: figures under 2 s, within 2x the hand-written SQL.
The page's own cost once the figures are cached is measured by tests/performance (the cache) and
is not part of this run (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from bench.common import DATA_DIR, peak_rss_mib, timed, write_result
from openiom.evaluation.histories import load_histories
from openiom.performance.files import load_members
from openiom.performance.measures import MEASURES, compute
from openiom.reference.datafiles import builtin_reference
from openiom.synth.generate import synthesise
from openiom.synth.iom_effect import plant_scheme

AS_OF = date(2026, 9, 30)
MONTHS = 12
TARGET_SECONDS = 2.0
TARGET_RATIO = 2.0

# The same figures, hand-written: per person and window the counts and custody days, then per group
# the people, totals, means and the mean and standard deviation of the change.
HAND_SQL = """
with m as (
    select person_key, grp, anchor, cast(anchor - to_months(12) as date) as bs,
           cast(anchor + to_months(12) as date) as ae from members_t where anchor <= $as_of
), w as (
    select person_key, grp, 0 as side, bs as ws, anchor as we, false as partial from m
    union all select person_key, grp, 1, anchor, least(ae, $end), ae > $end from m
), ev as (
    select e.person_key, e.event_type, e.proven, e.css_weight, e.unit_cost,
           case when e.event_type = 'arrest' then e.outcome_date else e.offence_date end as day
    from events e where e.person_key in (select person_key from m)
      and e.outcome_date < $end and e.offence_date < $end
), c as (
    select w.person_key, w.side, count(*) filter (where proven) as proven,
        count(*) filter (where event_type = 'arrest') as arrests,
        count(*) filter (where event_type = 'conviction') as convictions,
        coalesce(sum(css_weight) filter (where proven), 0) as harm,
        coalesce(sum(unit_cost) filter (where proven), 0) as cost
    from w join ev on ev.person_key = w.person_key and ev.day >= w.ws and ev.day < w.we group by all
), sp as (
    select person_key, min(s) as s, max(e) as e from (
        select *, sum(case when pe is null or s > pe then 1 else 0 end)
            over (partition by person_key order by s, e rows unbounded preceding) as g from (
            select *, max(e) over (partition by person_key order by s, e
                                   rows between unbounded preceding and 1 preceding) as pe from (
                select person_key, custody_start as s, least(coalesce(release_date, $end), $end) as e
                from events where event_type = 'conviction' and disposal = 'custody'
                  and custody_start is not null and custody_start < $end
                  and person_key in (select person_key from m))))
    group by person_key, g
), cu as (
    select w.person_key, w.side,
        sum(greatest(0, datediff('day', greatest(sp.s, w.ws), least(sp.e, w.we)))) as custody
    from w join sp on sp.person_key = w.person_key and sp.s < w.we and sp.e > w.ws group by all
), pw as (
    select w.person_key, w.grp, w.side, w.partial, datediff('day', w.ws, w.we) - coalesce(cu.custody, 0) as liberty,
        coalesce(c.proven, 0) as proven, coalesce(c.arrests, 0) as arrests,
        coalesce(c.convictions, 0) as convictions, coalesce(c.harm, 0) as harm, coalesce(c.cost, 0) as cost
    from w left join c using (person_key, side) left join cu using (person_key, side)
), pp as (
    select person_key, any_value(grp) as grp,
        sum(proven) filter (where side = 0) as p0, sum(proven) filter (where side = 1) as p1,
        sum(arrests) filter (where side = 0) as a0, sum(arrests) filter (where side = 1) as a1,
        sum(convictions) filter (where side = 0) as c0, sum(convictions) filter (where side = 1) as c1,
        sum(harm) filter (where side = 0) as h0, sum(harm) filter (where side = 1) as h1,
        sum(cost) filter (where side = 0) as k0, sum(cost) filter (where side = 1) as k1,
        min(liberty) filter (where side = 0) as l0, min(liberty) filter (where side = 1) as l1
    from pw group by person_key having not bool_or(partial)
)
select grp, count(*) as people,
    sum(p0) as proven_before, sum(p1) as proven_after, avg(p1 - p0) as proven_change, stddev_samp(p1 - p0) as proven_sd,
    avg(a1 - a0) as arrests_change, avg(c1 - c0) as convictions_change, avg(h1 - h0) as harm_change,
    avg(k1 - k0) as cost_change,
    avg(p1 * 365.0 / l1 - p0 * 365.0 / l0) filter (where l0 > 0 and l1 > 0) as proven_liberty_change
from pp group by grp order by grp
"""


def _area(people: int) -> tuple[Path, Path, float | None]:
    folder = DATA_DIR / f"performance-area-{people}"
    seconds = None
    if not (folder / "events.parquet").exists():
        print(f"generating an area of {people:,} people into {folder} ...", flush=True)
        seconds, _ = timed(lambda: synthesise(folder, people=people, seed=2026, as_of=AS_OF, fmt="parquet"))
        print(f"  generated in {seconds:.1f} s", flush=True)
    return folder / "people.parquet", folder / "events.parquet", seconds


def _scheme(events: Path, managed: int) -> tuple[Path, Path, dict[str, int]]:
    folder = events.parent / "iom-scheme"
    if not (folder / "managed.csv").exists():
        print("planting the scheme ...", flush=True)
        plant_scheme(events, folder, as_of=AS_OF, effect=0.3, adopt_share=0.6, seed=7)
    frame = pd.read_csv(folder / "managed.csv")
    capped = folder / f"managed-{managed}.csv"
    frame.head(managed).to_csv(capped, index=False)
    comparison = pd.read_csv(folder / "comparison.csv")
    return (
        capped,
        folder / "comparison.csv",
        {"managed": min(len(frame), managed), "comparison": len(comparison)},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--managed", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    people, events, generated = _area(args.people)
    managed_path, comparison_path, sizes = _scheme(events, args.managed)
    load_average = os.getloadavg()[0]
    con = duckdb.connect()
    load_seconds, summary = timed(
        lambda: load_histories(con, people, events, builtin_reference(), data_end=AS_OF)
    )
    members = load_members(con, managed_path, comparison_path)
    con.register("members_v", members)
    con.execute(
        'create table members_t as select person_key, "group" as grp, cast(anchor as date) as anchor from members_v'
    )
    ours, hand = [], []
    result = None
    for _ in range(args.repeats):
        seconds, result = timed(lambda: compute(con, members, as_of=AS_OF, months=MONTHS))
        ours.append(seconds)
        seconds, baseline = timed(
            lambda: con.execute(HAND_SQL, {"as_of": AS_OF, "end": date(2026, 10, 1)}).df()
        )
        hand.append(seconds)
    assert result is not None
    # The two must agree, or the ratio means nothing.
    for comparison in result.comparisons:
        if comparison.basis != "count":
            continue
        for group, figure in (("managed", comparison.managed), ("comparison", comparison.comparison)):
            row = baseline[baseline["grp"] == group].iloc[0]
            assert figure is not None and figure.people == row["people"], (group, figure, row)
            assert figure.change is not None
            assert abs(figure.change.estimate - row[f"{comparison.measure}_change"]) < 1e-6, (
                comparison.measure
            )
    ours_median, hand_median = statistics.median(ours), statistics.median(hand)
    proven = result.comparison("proven")
    assert proven is not None
    payload = {
        "people": summary.people,
        "events": summary.events,
        "managed": sizes["managed"],
        "comparison_pool": sizes["comparison"],
        "measured_managed": proven.managed.people,
        "measured_comparison": proven.comparison.people if proven.comparison else 0,
        "measures": list(MEASURES),
        "months": MONTHS,
        "generation_seconds": round(generated, 1) if generated is not None else "reused from bench/data",
        "load_seconds": round(load_seconds, 2),
        "figures_seconds_median": round(ours_median, 3),
        "figures_seconds_runs": [round(s, 3) for s in ours],
        "hand_sql_seconds_median": round(hand_median, 3),
        "hand_sql_seconds_runs": [round(s, 3) for s in hand],
        "ratio_to_hand_sql": round(ours_median / hand_median, 2),
        "meets_time_target": ours_median < TARGET_SECONDS,
        "meets_ratio_target": ours_median / hand_median < TARGET_RATIO,
        "did_proven": round(proven.did.estimate, 4) if proven.did else None,
        "naive_change_proven": round(proven.managed.change.estimate, 4) if proven.managed.change else None,
        "load_average_at_start": round(load_average, 2),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }
    path = write_result("performance", payload)
    print(
        f"{summary.people:,} people, {summary.events:,} events, {proven.managed.people:,} managed measured: "
        f"figures {ours_median:.2f} s (target < {TARGET_SECONDS} s), hand-written SQL {hand_median:.2f} s, "
        f"ratio x{ours_median / hand_median:.2f} (target < {TARGET_RATIO}); load {load_seconds:.1f} s; "
        f"written {path}"
    )


if __name__ == "__main__":
    main()
