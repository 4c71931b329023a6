"""`score`: recency x gravity summed over matching events, at least `at_least`."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import Annotated, ClassVar

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
    dated_events,
    span,
)
from openiom.cohorts.engine.dates import epoch_day
from openiom.cohorts.engine.terms import DateField, EventFilter, Events, PositiveInt, Strict, Window


class RecencyBand(Strict):
    within: Window
    multiplier: Annotated[int, Field(ge=0)]


class ScoreNumbers(Span):
    score: int
    count: int
    at_least: int


class ScoreClause(EventClause):
    """Recency x gravity summed over matching events (so frequency counts too); integer arithmetic."""

    kind: ClassVar[str] = "score"
    columns: ClassVar[tuple[str, ...]] = ("score", "n", "first", "last")

    events: Events = EventFilter()
    date: DateField = "offence_date"
    gravity: dict[str, Annotated[int, Field(ge=0)]]
    default_gravity: Annotated[int, Field(ge=0)] = 0
    recency: Annotated[list[RecencyBand], Field(min_length=1)]
    at_least: PositiveInt

    @model_validator(mode="after")
    def _bands_widen(self) -> ScoreClause:
        probe = dt.date(2000, 1, 1)
        starts = [band.within.start(probe) for band in self.recency]
        if any(later >= earlier for earlier, later in pairwise(starts)):
            raise ValueError("recency bands must be listed from the most recent to the oldest, each longer")
        return self

    def clause_events(self, ctx: Context) -> ir.Table:
        # Events older than the last (longest) band score nothing.
        return dated_events(ctx, self.events, self.date, self.recency[-1].within)

    def table(self, ctx: Context) -> ir.Table:
        events = self.clause_events(ctx)
        gravity = ibis.cases(
            *[(events.category == category, weight) for category, weight in self.gravity.items()],
            else_=self.default_gravity,
        )
        recency = ibis.cases(
            *[
                (events.day >= epoch_day(band.within.start(ctx.as_of)), band.multiplier)
                for band in self.recency
            ],
            else_=0,
        )
        scored = events.mutate(points=(gravity * recency).cast("int64"))
        summed = scored.group_by("pid").aggregate(
            score=scored.points.sum().cast("int64"),
            n=scored.count().cast("int64"),
            first=scored.day.min(),
            last=scored.day.max(),
        )
        return summed.mutate(hold=summed.score >= self.at_least)

    def explain(self, values: Values, as_of: dt.date) -> tuple[str, ScoreNumbers]:
        found = span(values)
        score, n = as_int(values.get("score")) or 0, as_int(values.get("n")) or 0
        text = (
            f"score {score} from {n} {self.events.noun()}{between(found)} "
            f"in the {self.recency[-1].within.describe()} to {as_of.isoformat()}; "
            f"needs at least {self.at_least}"
        )
        return text, ScoreNumbers(**found, score=score, count=n, at_least=self.at_least)
