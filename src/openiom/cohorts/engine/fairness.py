"""Who a definition selects by ethnicity, sex and age band, against the area's offending population
and (when the analyst supplies one) the resident population.

- Offending population: people with a proven offence committed in the look-back window ending on
  the as-of date (12 months by default) and dealt with by then, as for `concentration`.
- Selection rate among offenders: selected people who are in the offending population ÷ the
  offending population, per group; ratio to the reference group (the largest known group).
- Selection rate among residents: every selected person ÷ the group's resident population, from a
  table the analyst supplies (`residents.py`).

The selection itself is the engine's (`identify`'s result): nothing here re-implements a rule. One
Ibis query per definition counts people by (ethnicity, sex, age); the groups are formed in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis

from openiom.cohorts.engine.clauses.base import age_on
from openiom.cohorts.engine.dates import epoch_day
from openiom.cohorts.engine.fairness_stats import GroupCount, RateRow, rate_rows
from openiom.cohorts.engine.identify import CohortResult
from openiom.cohorts.engine.sources import Source
from openiom.cohorts.engine.terms import Window
from openiom.cohorts.groups import AGE_BAND_LABELS, DIMENSIONS, ETHNIC_GROUPS, age_band, ethnic_group
from openiom.returns.disclosure import DisclosureConfig
from openiom.vocabulary import PROVEN


@dataclass(frozen=True)
class Cell:
    """People of one (ethnicity, sex, age) combination."""

    ethnicity: str
    sex: str
    age: int | None
    offenders: int
    selected: int
    selected_offenders: int


@dataclass
class FairnessReport:
    definition: str
    as_of: dt.date
    window: str
    threshold: int
    selected: int
    offenders: int
    selected_offenders: int
    rows: list[RateRow] = field(default_factory=list)
    residents: str | None = None  # where the resident table came from

    @property
    def selected_outside_offenders(self) -> int:
        return self.selected - self.selected_offenders

    def as_dict(self) -> dict[str, Any]:
        """The report as saved with a run: totals below the threshold are not kept."""
        small = self.threshold

        def safe(n: int) -> int | None:
            return None if 0 < n < small else n

        return {
            "definition": self.definition,
            "as_of": self.as_of.isoformat(),
            "window": self.window,
            "threshold": self.threshold,
            "selected": safe(self.selected),
            "offenders": safe(self.offenders),
            "selected_offenders": safe(self.selected_offenders),
            "residents": self.residents,
            "rows": [r.as_dict() for r in self.rows],
        }


def group_of(dimension: str, cell: Cell) -> str:
    if dimension == "ethnic_group":
        return ethnic_group(cell.ethnicity)
    if dimension == "ethnicity":
        return cell.ethnicity or "NR"
    if dimension == "sex":
        return cell.sex or "NR"
    return age_band(cell.age)


def group_order(dimension: str, groups: Iterable[str]) -> list[str]:
    fixed = {
        "ethnic_group": list(ETHNIC_GROUPS),
        "sex": ["M", "F", "X", "NR"],
        "age_band": [*AGE_BAND_LABELS, "NR"],
    }.get(dimension)
    found = set(groups)
    if fixed is None:
        return sorted(found, key=lambda g: (g in ("NS", "NR"), g))
    return [g for g in fixed if g in found] + sorted(found - set(fixed))


def cells(source: Source, result: CohortResult, within: Window) -> list[Cell]:
    """People counted by (ethnicity, sex, age on the as-of date): offenders in the window,
    selected, and selected offenders."""
    as_of = result.as_of
    events = source.events
    proven = events.filter(
        events.event_type.isin(PROVEN)
        & (events.off_day >= epoch_day(within.start(as_of)))
        & (events.off_day <= epoch_day(as_of))
        & (events.out_day <= epoch_day(as_of))
    )
    offender_pids = proven.select(_opid="pid").distinct()
    people = source.people
    chosen = ibis.memtable({"_spid": [int(p) for p in result.frame["pid"]]}, schema={"_spid": "int64"})
    table = people.select(
        "pid",
        ethnicity=people.ethnicity.fill_null(""),
        sex=people.sex.fill_null(""),
        age=age_on(people.date_of_birth, as_of),
        # ifelse, not a cast: PostgreSQL casts a boolean to integer but not to bigint.
        offender=people.pid.isin(offender_pids._opid).ifelse(1, 0),
        selected=people.pid.isin(chosen._spid).ifelse(1, 0),
    )
    counted = table.group_by(["ethnicity", "sex", "age"]).aggregate(
        offenders=table.offender.sum(),
        selected=table.selected.sum(),
        selected_offenders=(table.offender * table.selected).sum(),
    )
    counted = counted.filter((counted.offenders > 0) | (counted.selected > 0))
    frame = source.execute(counted)
    return [
        Cell(
            ethnicity=str(row.ethnicity or ""),
            sex=str(row.sex or ""),
            age=None if row.age is None or row.age != row.age else int(row.age),
            offenders=int(row.offenders or 0),
            selected=int(row.selected or 0),
            selected_offenders=int(row.selected_offenders or 0),
        )
        for row in frame.itertuples(index=False)
    ]


def grouped(cells_: Sequence[Cell], dimension: str, numerator: str, base: str) -> list[GroupCount]:
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cell in cells_:
        entry = sums[group_of(dimension, cell)]
        entry[0] += getattr(cell, numerator)
        entry[1] += getattr(cell, base)
    return [GroupCount(g, *sums[g]) for g in group_order(dimension, sums)]


def fairness(
    source: Source,
    result: CohortResult,
    *,
    config: DisclosureConfig,
    within: Window | None = None,
    residents: Mapping[str, Mapping[str, int]] | None = None,
    residents_name: str | None = None,
) -> FairnessReport:
    """Selection rates and rate ratios of `result` by every dimension against the offending
    population and, with `residents` (dimension -> group -> people), the resident population."""
    within = within or Window(months=12)
    found = cells(source, result, within)
    report = FairnessReport(
        definition=result.definition.label,
        as_of=result.as_of,
        window=f"{within.describe()} {within.start(result.as_of).isoformat()} to {result.as_of.isoformat()}",
        threshold=config.suppress_below,
        selected=sum(c.selected for c in found),
        offenders=sum(c.offenders for c in found),
        selected_offenders=sum(c.selected_offenders for c in found),
        residents=residents_name,
    )
    for dimension in DIMENSIONS:
        counts = [c for c in grouped(found, dimension, "selected_offenders", "offenders") if c.base > 0]
        report.rows += rate_rows(dimension, "offenders", counts, config)
        table = (residents or {}).get(dimension)
        if table:
            selected = {c.group: c.selected for c in grouped(found, dimension, "selected", "offenders")}
            counts = [GroupCount(g, selected.get(g, 0), n) for g, n in table.items()]
            report.rows += rate_rows(dimension, "residents", counts, config, base_public=True)
    return report


@dataclass(frozen=True)
class PanelPerson:
    """One candidate of a definition put to the panel, and whether the panel adopted them."""

    ethnicity: str
    sex: str
    age: int | None
    adopted: bool


def panel_rows(people: Sequence[PanelPerson], config: DisclosureConfig) -> list[RateRow]:
    """Adoption rates by group among a definition's candidates, with ratios to the reference
    group's: are the panel's decisions adding disparity to the definition's?"""
    found = [
        Cell(
            p.ethnicity, p.sex, p.age, offenders=1, selected=int(p.adopted), selected_offenders=int(p.adopted)
        )
        for p in people
    ]
    rows: list[RateRow] = []
    for dimension in DIMENSIONS:
        rows += rate_rows(dimension, "candidates", grouped(found, dimension, "selected", "offenders"), config)
    return rows
