"""`rolling_count`: at least `at_least` matching events in any `period_days` consecutive days."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import ibis
import ibis.expr.types as ir

from openiom.cohorts.engine.clauses.base import (
    Context,
    EventClause,
    Listed,
    Span,
    Values,
    as_int,
    between,
    dated_events,
    span,
    window_text,
)
from openiom.cohorts.engine.terms import DateField, EventFilter, Events, PositiveInt, Window


class RollingCountNumbers(Span):
    count: int
    at_least: int
    period_days: int


class RollingCountClause(EventClause):
    """At least `at_least` matching events in any `period_days` consecutive calendar days (inclusive)."""

    kind: ClassVar[str] = "rolling_count"
    columns: ClassVar[tuple[str, ...]] = ("n", "first", "last")

    events: Events = EventFilter()
    date: DateField = "offence_date"
    period_days: PositiveInt
    within: Window | None = None
    at_least: PositiveInt

    def clause_events(self, ctx: Context) -> ir.Table:
        return dated_events(ctx, self.events, self.date, self.within)

    def table(self, ctx: Context) -> ir.Table:
        events = self.clause_events(ctx)
        # RANGE over integer days: the frame is every event within period_days - 1 days before this
        # one, including all events on the same day, which is "any N consecutive days, inclusive".
        frame = ibis.window(group_by="pid", order_by="day", range=(-(self.period_days - 1), 0))
        windows = events.mutate(
            n=events.count().over(frame).cast("int64"), first=events.day.min().over(frame)
        )
        best = ibis.row_number().over(group_by="pid", order_by=[ibis.desc("n"), "day"])
        windows = windows.mutate(_best=best)
        top = windows.filter(windows._best == 0).select("pid", "n", "first", last="day")
        return top.mutate(hold=top.n >= self.at_least)

    def evidence(self, values: Values, listed: Listed) -> Listed:
        # Only the events inside the busiest window, not all of those in `within`.
        low, high = as_int(values.get("first")), as_int(values.get("last"))
        if low is None or high is None:
            return listed
        return [(d, k) for d, k in listed if low <= d <= high]

    def explain(self, values: Values, as_of: dt.date) -> tuple[str, RollingCountNumbers]:
        found = span(values)
        n = as_int(values.get("n")) or 0
        text = (
            f"{n} {self.events.noun()}{between(found)} (within {self.period_days} consecutive days) "
            f"{window_text(self.within, self.date, as_of)}; needs at least {self.at_least} in any "
            f"{self.period_days} days"
        )
        return text, RollingCountNumbers(
            **found, count=n, at_least=self.at_least, period_days=self.period_days
        )
