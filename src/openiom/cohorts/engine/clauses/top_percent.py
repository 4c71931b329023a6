"""`top_percent`: among people with a matching event in the window, the top `percent` by count.

People tied at the cut-off make "top 10%" ambiguous: on real data, including all of them selected
20-24% of offenders. `ties` states the rule: `include` (everyone tied at the cut-off is in, so the
share selected may exceed `percent`) or `exact` (exactly `percent`, rounded up, with `tie_break`
deciding among the tied). Every reason states the share actually selected.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

import ibis
import ibis.expr.types as ir
from pydantic import Field, model_validator

from openiom.cohorts.engine.clauses.base import (
    Context,
    EventClause,
    Span,
    Values,
    as_int,
    between,
    count_per_person,
    dated_events,
    span,
    window_text,
)
from openiom.cohorts.engine.terms import DateField, EventFilter, Events, Window

Ties = Literal["include", "exact"]
# The order among people with the same count when `ties: exact`; both end with the record id
# (person_key, compared byte by byte) so every engine picks the same people.
TieBreak = Literal["most_recent", "record_id"]

TIE_BREAK_TEXT: dict[str, str] = {
    "most_recent": "most recent matching event first, then record id",
    "record_id": "record id",
}


class TopPercentNumbers(Span):
    count: int
    rank: int | None
    population: int | None
    percent: float
    selected: int | None
    selected_percent: float | None
    ties: str


class TopPercentClause(EventClause):
    """Among people with at least one matching event in the window, the top `percent` by count."""

    kind: ClassVar[str] = "top_percent"
    columns: ClassVar[tuple[str, ...]] = ("n", "first", "last", "rank", "population", "selected")

    events: Events = EventFilter()
    date: DateField = "offence_date"
    within: Window
    percent: Annotated[float, Field(gt=0, le=100)]
    ties: Ties = "include"
    tie_break: TieBreak | None = None

    @model_validator(mode="after")
    def _tie_break_only_when_exact(self) -> TopPercentClause:
        if self.ties == "include" and self.tie_break is not None:
            raise ValueError("tie_break applies only with ties: exact (with ties: include, all tied are in)")
        return self

    @property
    def breaking(self) -> TieBreak:
        return self.tie_break or "most_recent"

    def clause_events(self, ctx: Context) -> ir.Table:
        return dated_events(ctx, self.events, self.date, self.within)

    def table(self, ctx: Context) -> ir.Table:
        counted = count_per_person(self.clause_events(ctx))
        if self.ties == "include":
            # rank() is the number of people with strictly more.
            ranked = counted.mutate(
                rank=(ibis.rank().over(order_by=ibis.desc("n")) + 1).cast("int64"),
                population=counted.count().over(ibis.window()).cast("int64"),
            )
        else:
            keys = ctx.people.select(_kpid=ctx.people.pid, _key=ctx.people.person_key)
            keyed = counted.join(keys, counted.pid == keys._kpid).drop("_kpid")
            order = [ibis.desc("n"), ibis.desc("last"), ibis.asc("_key")]
            if self.breaking == "record_id":
                order = [ibis.desc("n"), ibis.asc("_key")]
            ranked = keyed.mutate(
                rank=(ibis.row_number().over(order_by=order) + 1).cast("int64"),
                population=keyed.count().over(ibis.window()).cast("int64"),
            ).drop("_key")
        held = ranked.mutate(hold=(ranked["rank"] - 1) * 100 < ranked.population * self.percent)
        # PostgreSQL cannot cast a boolean to a number: count the selected with a CASE.
        selected = ibis.ifelse(held.hold, 1, 0).sum().over(ibis.window()).cast("int64")
        return held.mutate(selected=selected)

    def rule_text(self) -> str:
        if self.ties == "include":
            return f"top {self.percent:g}% selected, with everyone tied at the cut-off"
        return f"exactly the top {self.percent:g}% selected, ties broken by {TIE_BREAK_TEXT[self.breaking]}"

    def explain(self, values: Values, as_of: dt.date) -> tuple[str, TopPercentNumbers]:
        found = span(values)
        n, rank, population, selected = (
            as_int(values.get("n")) or 0,
            as_int(values.get("rank")),
            as_int(values.get("population")),
            as_int(values.get("selected")),
        )
        share = round(100 * selected / population, 1) if selected is not None and population else None
        shown = f": {selected} of {population} people ({share:g}%)" if share is not None else ""
        text = (
            f"{n} {self.events.noun()}{between(found)} {window_text(self.within, self.date, as_of)}: ranked "
            f"{rank} of {population} people with any; {self.rule_text()}{shown}"
        )
        return text, TopPercentNumbers(
            **found,
            count=n,
            rank=rank,
            population=population,
            percent=self.percent,
            selected=selected,
            selected_percent=share,
            ties=self.ties if self.ties == "include" else f"exact by {self.breaking}",
        )
