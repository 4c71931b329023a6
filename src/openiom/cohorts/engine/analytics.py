"""Cohort analytics: compare definitions, year-on-year stability, and offending concentration.

Definitions (docs/cohorts.md):

- compare: for definitions run at the same as-of date, each cohort's size, the pairwise overlap
  (people in both) and Jaccard index (overlap / people in either), and who is unique to each.
- stability: of the people selected at T, how many are selected again at T + `months`; of the
  rest, how many had no further proven offence, i.e. none committed in (T, T + months] and dealt
  with by T + months + `waiting_months` (the MoJ proven-reoffending waiting period). Those
  "desisted unaided". People newly selected at T + months are counted as entrants.
- concentration: among people with a proven offence committed in the window ending at the as-of
  date (and dealt with by then), the share of those offences committed by the top 1 / 5 / 10% of
  offenders (rounded up to whole people; ties broken arbitrarily, which does not change the share),
  the Lorenz curve and Gini coefficient, and the share of those offenders with 15 or more previous
  sanction occasions up to the as-of date.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import Any

from openiom.cohorts.engine.dates import epoch_day, plus_months
from openiom.cohorts.engine.definitions import Definition
from openiom.cohorts.engine.identify import CohortResult, identify
from openiom.cohorts.engine.sources import Source
from openiom.cohorts.engine.terms import Window
from openiom.vocabulary import PROVEN


@dataclass(frozen=True)
class Comparison:
    as_of: dt.date
    sizes: dict[str, int]
    overlaps: list[dict[str, Any]]
    unique: dict[str, list[str]]


def compare_results(results: list[CohortResult]) -> Comparison:
    sets = {r.definition.label: r.keys() for r in results}
    overlaps = []
    for a, b in combinations(sets, 2):
        both, either = len(sets[a] & sets[b]), len(sets[a] | sets[b])
        overlaps.append(
            {
                "a": a,
                "b": b,
                "both": both,
                "either": either,
                "jaccard": round(both / either, 4) if either else 0.0,
            }
        )
    unique = {}
    for label, keys in sets.items():
        others: set[str] = set().union(*(v for k, v in sets.items() if k != label))
        unique[label] = sorted(keys - others)
    if not results:
        raise ValueError("compare needs at least one cohort")
    return Comparison(results[0].as_of, {k: len(v) for k, v in sets.items()}, overlaps, unique)


def compare(source: Source, definitions: list[Definition], as_of: dt.date) -> Comparison:
    return compare_results([identify(source, d, as_of, evidence=False) for d in definitions])


@dataclass(frozen=True)
class Stability:
    definition: str
    start: dt.date
    end: dt.date
    selected_at_start: int
    selected_again: int
    not_selected_again: int
    desisted_unaided: int
    entrants: int

    @property
    def retained_share(self) -> float:
        return self.selected_again / self.selected_at_start if self.selected_at_start else 0.0

    @property
    def desisted_share(self) -> float:
        return self.desisted_unaided / self.selected_at_start if self.selected_at_start else 0.0


def reoffenders(source: Source, start: dt.date, end: dt.date, known_by: dt.date) -> set[str]:
    """People with a proven offence committed in (start, end] and dealt with by `known_by`."""
    events = source.events
    found = events.filter(
        events.event_type.isin(PROVEN)
        & (events.off_day > epoch_day(start))
        & (events.off_day <= epoch_day(end))
        & (events.out_day <= epoch_day(known_by))
    )
    pids = found.select(_pid="pid").distinct()
    people = source.people
    keys = people.semi_join(pids, people.pid == pids._pid).select("person_key")
    return set(source.execute(keys)["person_key"])


def stability(
    source: Source, definition: Definition, start: dt.date, *, months: int = 12, waiting_months: int = 6
) -> Stability:
    end = plus_months(start, months)
    before = identify(source, definition, start, evidence=False).keys()
    after = identify(source, definition, end, evidence=False).keys()
    left = before - after
    again = reoffenders(source, start, end, plus_months(end, waiting_months))
    return Stability(
        definition=definition.label,
        start=start,
        end=end,
        selected_at_start=len(before),
        selected_again=len(before & after),
        not_selected_again=len(left),
        desisted_unaided=len(left - again),
        entrants=len(after - before),
    )


@dataclass(frozen=True)
class Concentration:
    as_of: dt.date
    window: str
    offenders: int
    offences: int
    top_shares: dict[float, float]  # percent of offenders -> share of offences
    lorenz: list[tuple[float, float]]  # (share of offenders, share of offences), offenders ascending
    gini: float
    long_career_share: float  # share of offenders with 15+ previous sanction occasions
    long_career_threshold: int


def _top_share(histogram: list[tuple[int, int]], offences: int, people: int) -> float:
    """Share of offences committed by the first `people` offenders, taken from the top down."""
    remaining, total = people, 0
    for count, number in sorted(histogram, reverse=True):
        take = min(remaining, number)
        total += take * count
        remaining -= take
        if remaining == 0:
            break
    return total / offences if offences else 0.0


def concentration(
    source: Source,
    as_of: dt.date,
    *,
    within: Window | None = None,
    percents: tuple[float, ...] = (1, 5, 10),
    long_career: int = 15,
) -> Concentration:
    within = within or Window(months=12)
    events = source.events.filter(source.events.out_day <= epoch_day(as_of))
    proven = events.filter(events.event_type.isin(PROVEN))
    recent = proven.filter(proven.off_day >= epoch_day(within.start(as_of)))
    per_person = recent.group_by("pid").aggregate(n=recent.count())
    histogram_expr = per_person.group_by("n").aggregate(people=per_person.count())
    histogram = [(int(n), int(p)) for n, p in source.execute(histogram_expr).itertuples(index=False)]
    careers = proven.group_by("pid").aggregate(occasions=proven.out_day.nunique())
    offenders_expr = per_person.join(careers, "pid")
    long_expr = offenders_expr.aggregate(long=(offenders_expr.occasions >= long_career).sum())
    long_count = source.execute(long_expr)["long"].iloc[0]
    long_count = (
        0 if long_count is None or (isinstance(long_count, float) and math.isnan(long_count)) else long_count
    )
    offenders = sum(p for _n, p in histogram)
    offences = sum(n * p for n, p in histogram)
    top_shares = {pct: _top_share(histogram, offences, math.ceil(offenders * pct / 100)) for pct in percents}
    lorenz = [(0.0, 0.0)]
    cum_people = cum_offences = 0
    for count, number in sorted(histogram):
        cum_people += number
        cum_offences += count * number
        lorenz.append((cum_people / offenders, cum_offences / offences))
    area = sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in pairwise(lorenz))
    return Concentration(
        as_of=as_of,
        window=f"{within.describe()} {within.start(as_of).isoformat()} to {as_of.isoformat()}",
        offenders=offenders,
        offences=offences,
        top_shares=top_shares,
        lorenz=lorenz,
        gini=round(1 - 2 * area, 4) if offenders else 0.0,
        long_career_share=int(long_count) / offenders if offenders else 0.0,
        long_career_threshold=long_career,
    )
