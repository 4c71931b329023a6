"""`count`: at least `at_least` matching events, or distinct victims or outcome days, in a window."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

import ibis.expr.types as ir

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
from openiom.cohorts.engine.terms import DateField, EventFilter, Events, PositiveInt, Window


class CountNumbers(Span):
    count: int
    at_least: int


class CountClause(EventClause):
    """At least `at_least` matching events (or distinct values of `distinct`) in the window."""

    kind: ClassVar[str] = "count"
    columns: ClassVar[tuple[str, ...]] = ("n", "first", "last")

    events: Events = EventFilter()
    date: DateField = "outcome_date"
    within: Window | None = None
    distinct: Literal["victim_ref", "outcome_date"] | None = None
    at_least: PositiveInt

    def clause_events(self, ctx: Context) -> ir.Table:
        events = dated_events(ctx, self.events, self.date, self.within)
        if self.distinct == "victim_ref":
            # An event with no victim recorded is not a victim: neither counted nor listed.
            events = events.filter(events.victim_ref.notnull())
        return events

    def table(self, ctx: Context) -> ir.Table:
        events = self.clause_events(ctx)
        if self.distinct is None:
            counted = count_per_person(events)
        else:
            # out_day is never null in visible events, and clause_events() has dropped null victims.
            column = "victim_ref" if self.distinct == "victim_ref" else "out_day"
            # Two group-bys rather than COUNT(DISTINCT): faster on DuckDB at scale.
            values = events.group_by(["pid", column]).aggregate(first=events.day.min(), last=events.day.max())
            counted = values.group_by("pid").aggregate(
                n=values.count().cast("int64"), first=values["first"].min(), last=values["last"].max()
            )
        return counted.mutate(hold=counted.n >= self.at_least)

    def explain(self, values: Values, as_of: dt.date) -> tuple[str, CountNumbers]:
        found = span(values)
        n = as_int(values.get("n")) or 0
        noun = self.events.noun()
        if self.distinct == "victim_ref":
            what = f"{n} different victims in {noun}"
        elif self.distinct == "outcome_date":
            what = f"{n} separate days of {noun}"
        else:
            what = f"{n} {noun}"
        window = window_text(self.within, self.date, as_of)
        text = f"{what}{between(found)} {window}; needs at least {self.at_least}"
        return text, CountNumbers(**found, count=n, at_least=self.at_least)
