"""Measure criminal-career statistics on people/events files and compare them with published figures.

Everything is computed with DuckDB SQL straight from the files (CSV or Parquet), so the same
functions work on a synthetic area and on a real extract in the documented import format. Each
statistic's definition, target and source is in docs/synthetic-area.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from openiom.vocabulary import PROVEN, sql_list

_PROVEN = sql_list(PROVEN)


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    low: float
    high: float
    source: str


@dataclass(frozen=True)
class Measurement:
    target: Target
    value: float
    detail: str

    @property
    def ok(self) -> bool:
        return self.target.low <= self.value <= self.target.high


TARGETS = {
    t.key: t
    for t in (
        Target(
            "top5_share",
            "Share of proven offences held by the top 5% of offenders",
            0.45,
            0.55,
            "College of Policing IOM summary (seed): 5% of offenders -> 49% of proven reoffences; "
            "Wolfgang 6% -> 52%; Farrington 7% -> half of convictions",
        ),
        Target(
            "long_career_share",
            "Sanctioned in the last year with 15+ previous sanction occasions",
            0.32,
            0.42,
            "MoJ year to Sep 2018: 37% of the offending population (seed; Daily Mail citing MoJ 2019)",
        ),
        Target(
            "reoffending_overall",
            "One-year proven reoffending rate, all index events",
            0.25,
            0.30,
            "MoJ proven reoffending: 26.0-28.1% (Oct-Dec 2018 to Apr-Jun 2023 cohorts)",
        ),
        Target(
            "reoffending_short_custody",
            "One-year proven reoffending after custody < 12 months (adults)",
            0.52,
            0.68,
            "MoJ proven reoffending: 56.9-61.0% for adults released from custody < 12 months",
        ),
        Target(
            "age_peak",
            "Age at offence with the most proven offences",
            16,
            20,
            "Age-crime curve: peak in the late teens (Youth Endowment Fund; Audit Commission peak 18)",
        ),
        Target(
            "persistent_churn",
            "Persistent (3+ conviction occasions) one year, not persistent the next",
            0.33,
            0.47,
            "Carter (2003), seed: 40% of the persistent group desist each year and are replaced",
        ),
    )
}


def _relation(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyRelation:
    if path.name.endswith(".parquet"):
        return con.read_parquet(str(path))
    return con.read_csv(str(path), header=True)


def _connect(people: Path, events: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    _relation(con, people).create_view("people")
    _relation(con, events).create_view("events_file")
    con.execute(
        """CREATE VIEW events AS SELECT person_source_id, event_type, offence_code,
           CAST(offence_date AS DATE) AS offence_date,
           CAST(outcome_date AS DATE) AS outcome_date, disposal, CAST(release_date AS DATE) AS release_date,
           CAST(sentence_days AS INTEGER) AS sentence_days FROM events_file"""
    )
    return con


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> tuple[Any, ...]:
    row = con.execute(sql, params or []).fetchone()
    if row is None:
        raise ValueError("query returned no rows")
    return tuple(row)


def top_share(
    con: duckdb.DuckDBPyConnection, as_of: date, years: int = 12, top: float = 0.05
) -> tuple[float, str]:
    """Offender = a person with a proven offence (conviction or caution) dated in the `years` to as_of."""
    share, offenders, proven = _scalar(
        con,
        f"""
        WITH counts AS (
            SELECT person_source_id, count(*) AS n FROM events
            WHERE event_type IN {_PROVEN}
              AND outcome_date > CAST(? AS DATE) - to_years(CAST(? AS INTEGER)) AND outcome_date <= CAST(? AS DATE)
            GROUP BY 1),
        ranked AS (SELECT n, row_number() OVER (ORDER BY n DESC, person_source_id) AS r,
                          count(*) OVER () AS offenders FROM counts)
        SELECT sum(n) FILTER (WHERE r <= ceil(? * offenders)) / sum(n), max(offenders), sum(n) FROM ranked
        """,  # noqa: S608 - only the fixed vocabulary codes are interpolated
        [as_of, years, as_of, top],
    )
    return float(share), f"{offenders:,} offenders, {proven:,} proven offences"


def long_career_share(con: duckdb.DuckDBPyConnection, as_of: date, previous: int = 15) -> tuple[float, str]:
    """People sanctioned in the year to as_of; share with `previous`+ earlier sanction occasions.

    As in the MoJ offending-history counts, a previous sanction is an *occasion*: the cautions and
    convictions a person received on one date count once. The previous occasions are those before
    the person's first occasion in the year.
    """
    share, people, occasions = _scalar(
        con,
        f"""
        WITH occ AS (
            SELECT DISTINCT person_source_id, outcome_date FROM events
            WHERE event_type IN {_PROVEN} AND outcome_date <= CAST(? AS DATE)),
        numbered AS (
            SELECT *, row_number() OVER (PARTITION BY person_source_id ORDER BY outcome_date) - 1 AS prev
            FROM occ),
        in_year AS (
            SELECT person_source_id, min(prev) AS prev, count(*) AS occasions FROM numbered
            WHERE outcome_date > CAST(? AS DATE) - INTERVAL 365 DAY GROUP BY 1)
        SELECT avg(CASE WHEN prev >= ? THEN 1.0 ELSE 0.0 END), count(*), sum(occasions) FROM in_year
        """,  # noqa: S608 - only the fixed vocabulary codes are interpolated
        [as_of, as_of, previous],
    )
    return float(share), f"{people:,} people sanctioned on {occasions:,} occasions in the year"


def reoffending(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, tuple[float, int]]:
    """MoJ one-year proven reoffending on the 12-month cohort ending 18 months before as_of.

    Index event = a person's first release from custody, non-custodial court conviction or caution in
    the cohort period. Proven reoffence = an offence committed in the 12 months after the index date
    that is proven by a conviction or caution no later than 18 months after the index date.
    """
    rows = con.execute(
        f"""
        WITH idx_events AS (
            SELECT person_source_id, release_date AS d, 'custody' AS kind, sentence_days FROM events
                WHERE event_type = 'conviction' AND disposal = 'custody' AND release_date IS NOT NULL
            UNION ALL
            SELECT person_source_id, outcome_date, 'court', NULL FROM events
                WHERE event_type = 'conviction' AND disposal <> 'custody'
            UNION ALL
            SELECT person_source_id, outcome_date, 'caution', NULL FROM events WHERE event_type = 'caution'),
        in_period AS (
            SELECT *, row_number() OVER (PARTITION BY person_source_id ORDER BY d, kind) AS r FROM idx_events
            WHERE d > CAST(? AS DATE) - INTERVAL 30 MONTH AND d <= CAST(? AS DATE) - INTERVAL 18 MONTH),
        cohort AS (
            SELECT i.person_source_id, i.d, i.kind, i.sentence_days,
                   date_diff('year', p.date_of_birth, i.d) AS age FROM in_period i
            JOIN people p ON p.source_id = i.person_source_id WHERE r = 1),
        flagged AS (
            SELECT c.*, EXISTS (
                SELECT 1 FROM events e WHERE e.person_source_id = c.person_source_id
                AND e.event_type IN {_PROVEN}
                AND e.offence_date > c.d AND e.offence_date <= c.d + INTERVAL 12 MONTH
                AND e.outcome_date <= c.d + INTERVAL 18 MONTH) AS reoffended
            FROM cohort c)
        SELECT 'overall', avg(reoffended::INT), count(*) FROM flagged
        UNION ALL
        SELECT 'short_custody', avg(reoffended::INT), count(*) FROM flagged
            WHERE kind = 'custody' AND sentence_days < 365 AND age >= 18
        UNION ALL
        SELECT 'juvenile', avg(reoffended::INT), count(*) FROM flagged WHERE age < 18
        """,  # noqa: S608 - only the fixed vocabulary codes are interpolated
        [as_of, as_of],
    ).fetchall()
    return {str(k): (float(v or 0.0), int(n)) for k, v, n in rows}


def age_profile(con: duckdb.DuckDBPyConnection) -> dict[int, int]:
    """Proven offences by the offender's age (whole years) on the offence date."""
    rows = con.execute(
        f"""
        SELECT date_diff('year', p.date_of_birth, e.offence_date) -
               CASE WHEN strftime(e.offence_date, '%m%d') < strftime(p.date_of_birth, '%m%d') THEN 1 ELSE 0 END AS age,
               count(*) FROM events e JOIN people p ON p.source_id = e.person_source_id
        WHERE e.event_type IN {_PROVEN} GROUP BY 1 ORDER BY 1
        """  # noqa: S608 - only the fixed vocabulary codes are interpolated
    ).fetchall()
    return {int(a): int(n) for a, n in rows}


def persistent_churn(con: duckdb.DuckDBPyConnection, as_of: date, threshold: int = 3) -> tuple[float, str]:
    """Persistent = convictions on 3+ occasions (distinct conviction dates) in a year; the years are
    the two to as_of. Occasions, as for previous sanctions: several offences dealt with on one court
    date are one conviction occasion."""
    share, persistent = _scalar(
        con,
        """
        WITH y AS (
            SELECT person_source_id,
                   count(DISTINCT outcome_date) FILTER (WHERE outcome_date > CAST(? AS DATE) - INTERVAL 730 DAY
                                      AND outcome_date <= CAST(? AS DATE) - INTERVAL 365 DAY) AS y1,
                   count(DISTINCT outcome_date) FILTER (WHERE outcome_date > CAST(? AS DATE) - INTERVAL 365 DAY
                                      AND outcome_date <= CAST(? AS DATE)) AS y2
            FROM events WHERE event_type = 'conviction' GROUP BY 1)
        SELECT avg(CASE WHEN y2 < ? THEN 1.0 ELSE 0.0 END), count(*) FROM y WHERE y1 >= ?
        """,
        [as_of, as_of, as_of, as_of, threshold, threshold],
    )
    return float(share), f"{persistent:,} persistent in the first year"


def describe(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Descriptive figures reported alongside the calibrated ones (not targets)."""
    people, events, male = _scalar(
        con,
        "SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM events), "
        "(SELECT avg((sex = 'M')::INT) FROM people)",
    )
    short, custodial = _scalar(
        con,
        "SELECT count(*) FILTER (WHERE sentence_days < 365), count(*) FROM events WHERE disposal = 'custody'",
    )
    nfa = _scalar(
        con,
        """SELECT avg(only_arrest::INT) FILTER (WHERE arrested) FROM (
               SELECT bool_and(event_type = 'arrest') AS only_arrest, bool_or(event_type = 'arrest') AS arrested
               FROM events GROUP BY person_source_id, offence_date, offence_code)""",
    )[0]
    return {
        "people": float(people),
        "events": float(events),
        "events_per_person": events / max(people, 1),
        "male_share": float(male),
        "custody_under_12_months_share": short / max(custodial, 1),
        "arrest_only_share_of_arrests": float(nfa),
    }


def measure(people: Path | str, events: Path | str, as_of: date) -> list[Measurement]:
    con = _connect(Path(people), Path(events))
    try:
        out: list[Measurement] = []
        value, detail = top_share(con, as_of)
        out.append(Measurement(TARGETS["top5_share"], value, detail))
        value, detail = long_career_share(con, as_of)
        out.append(Measurement(TARGETS["long_career_share"], value, detail))
        reo = reoffending(con, as_of)
        out.append(
            Measurement(
                TARGETS["reoffending_overall"],
                reo["overall"][0],
                f"cohort {reo['overall'][1]:,}; juveniles {reo['juvenile'][0]:.1%} of {reo['juvenile'][1]:,}",
            )
        )
        out.append(
            Measurement(
                TARGETS["reoffending_short_custody"],
                reo["short_custody"][0],
                f"cohort {reo['short_custody'][1]:,}",
            )
        )
        ages = age_profile(con)
        peak = max(ages, key=lambda a: (ages[a], -a)) if ages else -1
        shown = ", ".join(f"{a}:{ages.get(a, 0):,}" for a in (14, 16, 18, 20, 25, 30, 40))
        out.append(Measurement(TARGETS["age_peak"], float(peak), f"proven offences by age {shown}"))
        value, detail = persistent_churn(con, as_of)
        out.append(Measurement(TARGETS["persistent_churn"], value, detail))
        return out
    finally:
        con.close()


def as_of_for(directory: Path) -> date | None:
    manifest = directory / "synth.json"
    if manifest.exists():
        return date.fromisoformat(json.loads(manifest.read_text())["as_of"])
    return None


def report(measurements: list[Measurement]) -> str:
    lines = [f"{'statistic':<66} {'measured':>9} {'target':>13}  ok"]
    for m in measurements:
        t = m.target
        if t.key == "age_peak":
            measured, target = f"{m.value:.0f}", f"{t.low:.0f}-{t.high:.0f}"
        else:
            measured, target = f"{m.value:.1%}", f"{t.low:.0%}-{t.high:.0%}"
        lines.append(f"{t.label:<66} {measured:>9} {target:>13}  {'yes' if m.ok else 'NO'}")
        lines.append(f"    {m.detail}")
    return "\n".join(lines)
