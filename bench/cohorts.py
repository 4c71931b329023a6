"""Benchmark: every built-in cohort definition on 1 million people / 20 million events.

Runs, in one process and one after the other, (1) the OpenIOM engine on DuckDB, (2) the same
rules hand-written in DuckDB SQL (the floor for DuckDB on this machine), (3) an idiomatic pandas
implementation and (4) a Polars implementation, each end to end from the Parquet files, and checks
that all four select exactly the same people. Prints times, peak memory per phase and the ratios
against pandas and Polars.

    python -m bench.cohorts                       # 1,000,000 people, 20,000,000 events
    python -m bench.cohorts --people 100000 --events 2000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from bench.common import DATA_DIR, write_result
from openiom.cohorts.engine import builtin_definitions, file_source, identify
from openiom.cohorts.engine.dates import epoch_day, window_start
from openiom.cohorts.engine.ogrs3 import AGE_GENDER, COPAS, FIRST_SANCTION, REPEAT_SANCTION, linear_threshold
from openiom.reference.datafiles import builtin_reference

AS_OF = dt.date(2026, 6, 30)
TYPES = np.array(["arrest", "charge", "conviction", "caution", "out_of_court_disposal"])
TYPE_P = [0.35, 0.15, 0.30, 0.12, 0.08]


def generate(directory: Path, people: int, events: int, seed: int = 7) -> tuple[Path, Path]:
    """Synthetic people and events in the documented format (docs/data-formats.md)."""
    people_path = directory / f"people-{people}.parquet"
    events_path = directory / f"events-{people}-{events}.parquet"
    if people_path.exists() and events_path.exists():
        return people_path, events_path
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    ids = pa.array(np.char.add("P", np.arange(people).astype("U7")))
    dob = np.datetime64("1950-01-01") + rng.integers(0, 60 * 365, people).astype("timedelta64[D]")
    pq.write_table(
        pa.table(
            {
                "source_system": pa.array(["SYNTH"] * people),
                "source_id": ids,
                "family_name": pa.array(["BENCHPERSON"] * people),
                "given_names": pa.array(["Bench"] * people),
                "date_of_birth": pa.array(dob.astype("datetime64[D]")),
                "sex": pa.array(rng.choice(np.array(["M", "F", "X"]), people, p=[0.78, 0.2, 0.02])),
            }
        ),
        people_path,
    )
    # Offending is concentrated: a few people have many events (lognormal activity levels).
    weights = rng.lognormal(0, 1.3, people)
    person = rng.choice(people, events, p=weights / weights.sum())
    offence = np.datetime64("2014-01-01") + rng.integers(0, 4560, events).astype("timedelta64[D]")
    outcome = offence + rng.integers(0, 120, events).astype("timedelta64[D]")
    codes = np.array([r["offence_code"] for r in builtin_reference().offences])
    domestic = rng.random(events) < 0.05
    victims = np.where(domestic, np.char.add("V", rng.integers(0, 4, events).astype("U1")), None)
    pq.write_table(
        pa.table(
            {
                "source_system": pa.array(["SYNTH"] * events),
                "source_id": pa.array(np.char.add("E", np.arange(events).astype("U9"))),
                "person_source_id": pa.array(np.char.add("P", person.astype("U7"))),
                "event_type": pa.array(rng.choice(TYPES, events, p=TYPE_P)),
                "offence_date": pa.array(offence),
                "outcome_date": pa.array(outcome),
                "offence_code": pa.array(rng.choice(codes, events)),
                "victim_ref": pa.array(victims, pa.string()),
                "domestic_abuse": pa.array(domestic),
            }
        ),
        events_path,
        row_group_size=1 << 20,
    )
    return people_path, events_path


class PeakMemory:
    """Peak resident memory of this process while a phase runs (sampled every 20 ms)."""

    def __enter__(self) -> PeakMemory:
        self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> float:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * 4096 / 2**20


# The rule constants, read from the built-in definitions so every implementation uses the same.
A = epoch_day(AS_OF)
S12 = epoch_day(window_start(AS_OF, months=12))
S36 = epoch_day(window_start(AS_OF, months=36))
BANDS = [(epoch_day(window_start(AS_OF, months=m)), mult) for m, mult in ((6, 4), (12, 3), (24, 2), (36, 1))]
GRAVITY = {
    "burglary_dwelling": 10,
    "robbery": 10,
    "theft_from_person": 8,
    "vehicle_crime": 6,
    "burglary_other": 6,
}
OGRS_CUT = linear_threshold(75, 2)
PROVEN = ["conviction", "caution"]


def _reference_frame() -> pd.DataFrame:
    ref = builtin_reference()
    nc = {r["category"]: r["neighbourhood_crime"] == "true" for r in ref.categories}
    return pd.DataFrame(
        {
            "offence_code": [r["offence_code"] for r in ref.offences],
            "category": [r["category"] for r in ref.offences],
            "ogrs3_weight": [float(r["ogrs3_weight"]) for r in ref.offences],
            "neighbourhood_crime": [nc[r["category"]] for r in ref.offences],
        }
    )


def _age_terms(age: Any, sex: Any, np_mod: Any = np) -> Any:
    male = np_mod.select(
        [age >= lo for lo, _m, _f in reversed(AGE_GENDER)], [m for _lo, m, _f in reversed(AGE_GENDER)], np.nan
    )
    female = np_mod.select(
        [age >= lo for lo, _m, _f in reversed(AGE_GENDER)], [f for _lo, _m, f in reversed(AGE_GENDER)], np.nan
    )
    return np.where(sex == "M", male, np.where(sex == "F", female, np.nan))


def _pandas_age(dob: pd.Series, year: Any, month_day: Any) -> Any:
    return year - dob.dt.year - (month_day < dob.dt.month * 100 + dob.dt.day).astype(int)


def run_pandas(people_path: Path, events_path: Path) -> dict[str, set[str]]:
    people = pd.read_parquet(people_path, columns=["source_system", "source_id", "date_of_birth", "sex"])
    people["person_key"] = people.source_system + ":" + people.source_id
    people["date_of_birth"] = pd.to_datetime(people.date_of_birth)
    people["age"] = _pandas_age(people.date_of_birth, AS_OF.year, AS_OF.month * 100 + AS_OF.day)
    ev = pd.read_parquet(events_path)
    ev["person_key"] = ev.source_system + ":" + ev.person_source_id
    ev["off_day"] = (pd.to_datetime(ev.offence_date) - pd.Timestamp("1970-01-01")).dt.days
    ev["out_day"] = (pd.to_datetime(ev.outcome_date) - pd.Timestamp("1970-01-01")).dt.days
    ev = ev.merge(_reference_frame(), on="offence_code", how="left")
    ev = ev[ev.person_key.isin(people.person_key) & (ev.out_day <= A)]
    proven = ev[ev.event_type.isin(PROVEN)]
    out: dict[str, set[str]] = {}

    def at_least(series: pd.Series, n: int) -> set[str]:
        return set(series[series >= n].index)

    conv = ev[(ev.event_type == "conviction") & (ev.out_day >= S12)]
    out["persistent-six-convictions"] = at_least(conv.groupby("person_key").size(), 6)
    out["long-career-15-sanctions"] = at_least(proven.groupby("person_key").out_day.nunique(), 15)
    out["chronic-15-proven-offences"] = at_least(proven.groupby("person_key").size(), 15)
    recent = proven[proven.off_day >= S12]
    counts = recent.groupby("person_key").size()
    rank = counts.rank(method="min", ascending=False)
    out["top-10-percent-offences"] = set(counts[(rank - 1) * 100 < 10 * len(counts)].index)
    rolling = recent.assign(when=pd.to_datetime(recent.off_day, unit="D")).sort_values(["person_key", "when"])
    windowed = rolling.groupby("person_key").rolling("91D", on="when").off_day.count()
    out["ten-offences-any-3-months"] = at_least(windowed.groupby(level=0).max(), 10)
    arrests = ev[(ev.event_type == "arrest") & (ev.out_day >= S12)]
    out["eight-arrests-last-year"] = at_least(arrests.groupby("person_key").size(), 8)
    scored = proven[proven.off_day >= S36]
    gravity = scored.category.map(GRAVITY).fillna(1)
    recency = np.select([scored.off_day >= start for start, _m in BANDS], [m for _s, m in BANDS], 0)
    out["neighbourhood-crime-rfg"] = at_least((gravity * recency).groupby(scored.person_key).sum(), 60)
    occasions = proven.groupby(["person_key", "out_day"], as_index=False).ogrs3_weight.max()
    occasions = occasions.sort_values(["person_key", "out_day"])
    per = occasions.groupby("person_key").agg(
        total=("out_day", "size"),
        first=("out_day", "min"),
        last=("out_day", "max"),
        weight=("ogrs3_weight", "last"),
    )
    per = per.join(people.set_index("person_key")[["date_of_birth", "sex", "age"]])
    first = pd.to_datetime(per["first"], unit="D")
    last = pd.to_datetime(per["last"], unit="D")
    age_first = _pandas_age(per.date_of_birth, first.dt.year, first.dt.month * 100 + first.dt.day)
    age_current = _pandas_age(per.date_of_birth, last.dt.year, last.dt.month * 100 + last.dt.day)
    terms = _age_terms(per.age.to_numpy(), per.sex.to_numpy())
    linear = (
        terms
        + np.where(per.total == 1, FIRST_SANCTION, REPEAT_SANCTION)
        + COPAS * np.log(per.total / (10 + age_current - age_first))
        + per.weight
    )
    out["ogrs3-high"] = set(per.index[linear >= OGRS_CUT])
    da = ev[ev.domestic_abuse & (ev.off_day >= S36) & ev.victim_ref.notna()]
    victims = da.groupby("person_key").victim_ref.nunique()
    adults = set(people.person_key[people.age >= 16])
    out["serial-domestic-abuse"] = at_least(victims, 2) & adults
    return out


def run_polars(people_path: Path, events_path: Path) -> dict[str, set[str]]:
    key = pl.col("source_system") + ":"
    people = pl.read_parquet(people_path).select(
        person_key=key + pl.col("source_id"), dob=pl.col("date_of_birth"), sex=pl.col("sex")
    )

    def md(day: pl.Expr) -> pl.Expr:  # dt.month()/dt.day() are Int8: widen before multiplying
        return day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)

    def age(dob: pl.Expr, year: Any, month_day: Any) -> pl.Expr:
        return year - dob.dt.year() - (month_day < md(dob)).cast(pl.Int32)

    people = people.with_columns(age=age(pl.col("dob"), AS_OF.year, AS_OF.month * 100 + AS_OF.day))
    ref = pl.from_pandas(_reference_frame())
    ev = (
        pl.scan_parquet(events_path)
        .with_columns(
            person_key=key + pl.col("person_source_id"),
            off_day=pl.col("offence_date").cast(pl.Date).cast(pl.Int32),
            out_day=pl.col("outcome_date").cast(pl.Date).cast(pl.Int32),
        )
        .filter(pl.col("out_day") <= A)
        .join(ref.lazy(), on="offence_code", how="left")
        .join(people.lazy().select("person_key"), on="person_key", how="semi")
        .collect()
    )
    proven = ev.filter(pl.col("event_type").is_in(PROVEN))
    out: dict[str, set[str]] = {}

    def keys(frame: pl.DataFrame, condition: pl.Expr) -> set[str]:
        return set(frame.filter(condition)["person_key"].to_list())

    def count(frame: pl.DataFrame, expr: pl.Expr | None = None) -> pl.DataFrame:
        return frame.group_by("person_key").agg(n=pl.len() if expr is None else expr)

    conv = ev.filter((pl.col("event_type") == "conviction") & (pl.col("out_day") >= S12))
    out["persistent-six-convictions"] = keys(count(conv), pl.col("n") >= 6)
    out["long-career-15-sanctions"] = keys(count(proven, pl.col("out_day").n_unique()), pl.col("n") >= 15)
    out["chronic-15-proven-offences"] = keys(count(proven), pl.col("n") >= 15)
    recent = proven.filter(pl.col("off_day") >= S12)
    counts = count(recent).with_columns(rank=pl.col("n").rank("min", descending=True))
    out["top-10-percent-offences"] = keys(counts, (pl.col("rank") - 1) * 100 < 10 * counts.height)
    rolling = (
        recent.select("person_key", when=pl.col("off_day").cast(pl.Date))
        .sort("person_key", "when")
        .rolling(index_column="when", period="91d", group_by="person_key")
        .agg(n=pl.len())
    )
    out["ten-offences-any-3-months"] = keys(
        rolling.group_by("person_key").agg(pl.col("n").max()), pl.col("n") >= 10
    )
    arrests = ev.filter((pl.col("event_type") == "arrest") & (pl.col("out_day") >= S12))
    out["eight-arrests-last-year"] = keys(count(arrests), pl.col("n") >= 8)
    recency = pl.when(pl.col("off_day") >= BANDS[0][0]).then(BANDS[0][1])
    for start, mult in BANDS[1:]:
        recency = recency.when(pl.col("off_day") >= start).then(mult)
    gravity = pl.col("category").replace_strict(GRAVITY, default=1, return_dtype=pl.Int64)
    scored = proven.filter(pl.col("off_day") >= S36).with_columns(points=gravity * recency.otherwise(0))
    out["neighbourhood-crime-rfg"] = keys(count(scored, pl.col("points").sum()), pl.col("n") >= 60)
    per = (
        proven.group_by("person_key", "out_day")
        .agg(w=pl.col("ogrs3_weight").max())
        .sort("person_key", "out_day")
        .group_by("person_key")
        .agg(
            total=pl.len(),
            first=pl.col("out_day").first(),
            last=pl.col("out_day").last(),
            w=pl.col("w").last(),
        )
        .join(people, on="person_key")
        .with_columns(first=pl.col("first").cast(pl.Date), last=pl.col("last").cast(pl.Date))
    )
    age_first = age(pl.col("dob"), pl.col("first").dt.year(), md(pl.col("first")))
    age_current = age(pl.col("dob"), pl.col("last").dt.year(), md(pl.col("last")))
    term: Any = pl.lit(None, dtype=pl.Float64)
    for lo, male, female in AGE_GENDER:
        term = (
            pl.when((pl.col("age") >= lo) & (pl.col("sex") == "M"))
            .then(male)
            .when((pl.col("age") >= lo) & (pl.col("sex") == "F"))
            .then(female)
            .otherwise(term)
        )
    linear = (
        term
        + pl.when(pl.col("total") == 1).then(FIRST_SANCTION).otherwise(REPEAT_SANCTION)
        + COPAS * (pl.col("total") / (10 + age_current - age_first)).log()
        + pl.col("w")
    )
    out["ogrs3-high"] = keys(per.with_columns(linear=linear), pl.col("linear") >= OGRS_CUT)
    da = ev.filter(pl.col("domestic_abuse") & (pl.col("off_day") >= S36) & pl.col("victim_ref").is_not_null())
    victims = count(da, pl.col("victim_ref").n_unique()).join(people, on="person_key")
    out["serial-domestic-abuse"] = keys(victims, (pl.col("n") >= 2) & (pl.col("age") >= 16))
    return out


SQL_STAGES: dict[str, float] = {}


def run_duckdb_sql(people_path: Path, events_path: Path) -> dict[str, set[str]]:
    """The same rules hand-written for DuckDB, as fast as we know how: events filtered to the as-of
    date while they are read, every plain count in one pass, the sanction occasions computed once
    for both rules that need them. This is the floor for the engine on this machine."""
    start = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET perfect_ht_threshold = 22")
    ref = _reference_frame()  # noqa: F841  (read by DuckDB's replacement scan)
    con.execute("CREATE TEMP TABLE ref AS SELECT * FROM ref")
    con.execute(
        f"""CREATE TEMP TABLE people AS
        SELECT row_number() OVER ()::INTEGER AS pid, source_system || ':' || source_id AS person_key,
               source_system, source_id, date_of_birth::DATE AS dob, sex,
               {AS_OF.year} - year(date_of_birth::DATE)
                 - (({AS_OF.month * 100 + AS_OF.day}) < month(date_of_birth::DATE) * 100
                    + day(date_of_birth::DATE))::INTEGER AS age
        FROM read_parquet('{people_path}')"""
    )
    day = "date_diff('day', DATE '1970-01-01', {}::DATE)::INTEGER"
    proven = "event_type IN ('conviction', 'caution')"
    con.execute(
        f"""CREATE TEMP TABLE ev AS
        SELECT p.pid, e.event_type, {day.format("e.offence_date")} AS off_day,
               {day.format("e.outcome_date")} AS out_day, r.category, r.ogrs3_weight AS weight,
               e.domestic_abuse, e.victim_ref
        FROM read_parquet('{events_path}') e
        JOIN people p ON e.source_system = p.source_system AND e.person_source_id = p.source_id
        LEFT JOIN ref r ON e.offence_code = r.offence_code
        WHERE {day.format("e.outcome_date")} <= {A}"""
    )
    SQL_STAGES["read, link and prepare events"] = time.perf_counter() - start
    start = time.perf_counter()
    gravity = " ".join(f"WHEN '{c}' THEN {w}" for c, w in GRAVITY.items())
    recency = " ".join(f"WHEN off_day >= {start} THEN {mult}" for start, mult in BANDS)
    con.execute(
        f"""CREATE TEMP TABLE counts AS
        SELECT pid,
          count(*) FILTER (event_type = 'conviction' AND out_day >= {S12}) AS convictions,
          count(*) FILTER ({proven}) AS proven,
          count(*) FILTER ({proven} AND off_day >= {S12}) AS recent,
          count(*) FILTER (event_type = 'arrest' AND out_day >= {S12}) AS arrests,
          sum((CASE category {gravity} ELSE 1 END) * (CASE {recency} ELSE 0 END))
            FILTER ({proven} AND off_day >= {S36}) AS score
        FROM ev GROUP BY pid"""
    )
    con.execute(
        f"""CREATE TEMP TABLE occasions AS
        SELECT pid, count(*) AS total, min(out_day) AS first, max(out_day) AS last,
               arg_max(weight, out_day) AS weight
        FROM (SELECT pid, out_day, max(weight) AS weight FROM ev WHERE {proven} GROUP BY pid, out_day)
        GROUP BY pid"""
    )

    def keys(sql: str) -> set[str]:
        return {row[0] for row in con.execute(sql).fetchall()}

    def counted(condition: str) -> set[str]:
        return keys(f"SELECT person_key FROM counts JOIN people USING (pid) WHERE {condition}")

    out = {
        "persistent-six-convictions": counted("convictions >= 6"),
        "chronic-15-proven-offences": counted("proven >= 15"),
        "eight-arrests-last-year": counted("arrests >= 8"),
        "neighbourhood-crime-rfg": counted("score >= 60"),
        "top-10-percent-offences": keys(
            """SELECT person_key FROM (
                 SELECT pid, rank() OVER (ORDER BY recent DESC) AS r, count(*) OVER () AS population
                 FROM counts WHERE recent > 0) JOIN people USING (pid)
               WHERE (r - 1) * 100 < population * 10"""
        ),
        "long-career-15-sanctions": keys(
            "SELECT person_key FROM occasions JOIN people USING (pid) WHERE total >= 15"
        ),
        "ten-offences-any-3-months": keys(
            f"""SELECT person_key FROM (
                 SELECT pid, count(*) OVER (PARTITION BY pid ORDER BY off_day
                                            RANGE BETWEEN 90 PRECEDING AND CURRENT ROW) AS n
                 FROM ev WHERE {proven} AND off_day >= {S12})
               JOIN people USING (pid) GROUP BY person_key HAVING max(n) >= 10"""
        ),
        "serial-domestic-abuse": keys(
            f"""SELECT person_key FROM ev JOIN people USING (pid)
               WHERE domestic_abuse AND off_day >= {S36} AND victim_ref IS NOT NULL AND age >= 16
               GROUP BY person_key HAVING count(DISTINCT victim_ref) >= 2"""
        ),
    }
    age_term = " ".join(
        f"WHEN age >= {lo} AND sex = 'M' THEN {male} WHEN age >= {lo} AND sex = 'F' THEN {female}"
        for lo, male, female in reversed(AGE_GENDER)
    )

    def age_at(column: str) -> str:
        when = f"(DATE '1970-01-01' + {column}::INTEGER)"
        return f"(year({when}) - year(dob) - (month({when}) * 100 + day({when}) < month(dob) * 100 + day(dob))::INTEGER)"

    out["ogrs3-high"] = keys(
        f"""SELECT person_key FROM occasions JOIN people USING (pid)
           WHERE (CASE {age_term} ELSE NULL END)
                 + CASE WHEN total = 1 THEN {FIRST_SANCTION} ELSE {REPEAT_SANCTION} END
                 + {COPAS} * ln(total / (10 + {age_at("last")} - {age_at("first")}))
                 + weight >= {OGRS_CUT}"""
    )
    con.close()
    SQL_STAGES["all nine rules"] = time.perf_counter() - start
    return out


STAGES: dict[str, float] = {}


def run_engine(people_path: Path, events_path: Path) -> dict[str, set[str]]:
    """The engine end to end; where its time goes is kept in STAGES (seconds)."""
    start = time.perf_counter()
    source = file_source(people=people_path, events=events_path)
    STAGES["read, link and prepare events"] = time.perf_counter() - start
    found = {}
    for definition in builtin_definitions():
        start = time.perf_counter()
        found[definition.id] = identify(source, definition, AS_OF, evidence=False).keys()
        STAGES[definition.id] = time.perf_counter() - start
    source.close()
    return found


def measure(name: str, fn: Callable[[], dict[str, set[str]]]) -> tuple[dict[str, Any], dict[str, set[str]]]:
    with PeakMemory() as memory:
        start = time.perf_counter()
        cohorts = fn()
        seconds = time.perf_counter() - start
    print(
        f"{name:>8}: {seconds:7.2f} s, peak RSS {memory.peak:8.0f} MiB, sizes "
        + ", ".join(f"{k}={len(v)}" for k, v in sorted(cohorts.items()))
    )
    return {"seconds": round(seconds, 2), "peak_rss_mib": round(memory.peak)}, cohorts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--skip-pandas", action="store_true", help="pandas takes minutes at full size")
    parser.add_argument(
        "--skip-evidence", action="store_true", help="skip the run listing every reason's events"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    people_path, events_path = generate(DATA_DIR, args.people, args.events)
    print(
        f"data: {args.people:,} people, {args.events:,} events ({time.perf_counter() - start:.1f}s to prepare)"
    )
    results: dict[str, Any] = {"people": args.people, "events": args.events, "as_of": AS_OF.isoformat()}
    engine, cohorts = measure("duckdb", lambda: run_engine(people_path, events_path))
    engine["stages_seconds"] = {k: round(v, 2) for k, v in STAGES.items()}
    for stage, seconds in STAGES.items():
        print(f"          {seconds:6.2f} s  {stage}")
    results["duckdb"] = engine
    floor, floor_cohorts = measure("SQL", lambda: run_duckdb_sql(people_path, events_path))
    floor["stages_seconds"] = {k: round(v, 2) for k, v in SQL_STAGES.items()}
    for stage, seconds in SQL_STAGES.items():
        print(f"          {seconds:6.2f} s  {stage}")
    results["hand_written_duckdb_sql"] = floor
    assert floor_cohorts == cohorts, "the hand-written SQL and the engine disagree"
    results["engine_vs_hand_written_sql"] = round(engine["seconds"] / floor["seconds"], 2)
    if not args.skip_evidence:
        with_evidence, _ = measure("duckdb+why", lambda: _with_evidence(people_path, events_path))
        results["duckdb_with_event_evidence"] = with_evidence
    polars, polars_cohorts = measure("polars", lambda: run_polars(people_path, events_path))
    results["polars"] = polars
    assert polars_cohorts == cohorts, "Polars and the engine disagree"
    results["speedup_vs_polars"] = round(polars["seconds"] / engine["seconds"], 2)
    results["hand_written_sql_speedup_vs_polars"] = round(polars["seconds"] / floor["seconds"], 2)
    if not args.skip_pandas:
        pandas, pandas_cohorts = measure("pandas", lambda: run_pandas(people_path, events_path))
        results["pandas"] = pandas
        assert pandas_cohorts == cohorts, "pandas and the engine disagree"
        results["speedup_vs_pandas"] = round(pandas["seconds"] / engine["seconds"], 2)
        results["hand_written_sql_speedup_vs_pandas"] = round(pandas["seconds"] / floor["seconds"], 2)
    results["cohort_sizes"] = {k: len(v) for k, v in sorted(cohorts.items())}
    print(
        f"DuckDB engine is {results.get('speedup_vs_pandas', 'n/a')}x faster than pandas and "
        f"{results['speedup_vs_polars']}x faster than Polars (all four selected identical cohorts)"
    )
    write_result("cohorts", results)


def _with_evidence(people_path: Path, events_path: Path) -> dict[str, set[str]]:
    source = file_source(people=people_path, events=events_path)
    found = {d.id: identify(source, d, AS_OF).keys() for d in builtin_definitions()}
    source.close()
    return found


if __name__ == "__main__":
    main()
