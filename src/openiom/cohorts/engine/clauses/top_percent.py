"""`top_percent`: among people with a matching event in the window, the top `percent` by count."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

import ibis
import ibis.expr.types as ir
from pydantic import Field

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


class TopPercentNumbers(Span):
    count: int
    rank: int | None
    population: int | None
    percent: float


class TopPercentClause(EventClause):
    """Among people with at least one matching event in the window, the top `percent` by count."""

    kind: ClassVar[str] = "top_percent"
    columns: ClassVar[tuple[str, ...]] = ("n", "first", "last", "rank", "population")

    events: Events = EventFilter()
    date: DateField = "offence_date"
    within: Window
    percent: Annotated[float, Field(gt=0, le=100)]

    def clause_events(self, ctx: Context) -> ir.Table:
        return dated_events(ctx, self.events, self.date, self.within)

    def table(self, ctx: Context) -> ir.Table:
        counted = count_per_person(self.clause_events(ctx))
        # rank() is the number of people with strictly more; ties at the cut-off are all included.
        ranked = counted.mutate(
            rank=(ibis.rank().over(order_by=ibis.desc("n")) + 1).cast("int64"),
            population=counted.count().over(ibis.window()).cast("int64"),
        )
        return ranked.mutate(hold=(ranked["rank"] - 1) * 100 < ranked.population * self.percent)

    def explain(self, values: Values, as_of: dt.date) -> tuple[str, TopPercentNumbers]:
        found = span(values)
        n, rank, population = (
            as_int(values.get("n")) or 0,
            as_int(values.get("rank")),
            as_int(values.get("population")),
        )
        text = (
            f"{n} {self.events.noun()}{between(found)} {window_text(self.within, self.date, as_of)}: ranked "
            f"{rank} of {population} people with any; top {self.percent:g}% selected"
        )
        return text, TopPercentNumbers(
            **found, count=n, rank=rank, population=population, percent=self.percent
        )
