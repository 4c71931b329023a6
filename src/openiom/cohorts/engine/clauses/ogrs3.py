"""`ogrs3`: OGRS3 predicted proven reoffending (iom-domain.md §7) at or above a percentage."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

import ibis
import ibis.expr.types as ir
from pydantic import Field

from openiom.cohorts.engine import ogrs3
from openiom.cohorts.engine.clauses.base import (
    Context,
    EventClause,
    Span,
    Values,
    age_on,
    as_int,
    between,
    matching,
    missing,
    span,
)
from openiom.cohorts.engine.terms import EventFilter


class Ogrs3Unscored(Span):
    linear: None


class Ogrs3Numbers(Span):
    linear: float
    one_year_percent: int
    two_year_percent: int
    band: str
    total_sanctions: int | None
    age_at_first: int | None
    age_at_current: int | None


class Ogrs3Clause(EventClause):
    """OGRS3 predicted proven reoffending (iom-domain.md §7) at or above a percentage."""

    kind: ClassVar[str] = "ogrs3"
    columns: ClassVar[tuple[str, ...]] = (
        "linear",
        "total",
        "first",
        "last",
        "age_first",
        "age_current",
        "weight",
    )

    horizon_years: Literal[1, 2] = 2
    at_least_percent: Annotated[int, Field(ge=1, le=99)]

    def clause_events(self, ctx: Context) -> ir.Table:
        # Every sanction up to the as-of date, by outcome date: the score's inputs are fixed.
        return matching(ctx.events, EventFilter(types="sanctions")).mutate(day=ibis._.out_day)

    def table(self, ctx: Context) -> ir.Table:
        sanctions = self.clause_events(ctx)
        # Sanction occasions are the distinct outcome days; an occasion's offence weight is that of the
        # heaviest offence dealt with that day. Aggregates rather than window functions over the
        # occasions: the same numbers, faster at 20 million events.
        occasions = sanctions.group_by(["pid", "out_day"]).aggregate(
            date=sanctions.outcome_date.min(), weight=sanctions.ogrs3_weight.max()
        )
        current = occasions.group_by("pid").aggregate(
            total=occasions.count().cast("int64"),
            first=occasions.out_day.min(),
            last=occasions.out_day.max(),
            first_date=occasions.date.min(),
            date=occasions.date.max(),
            # The weight is the current (latest) occasion's; each occasion is a different day, so
            # there are no ties.
            weight=occasions.weight.argmax(occasions.out_day),
        )
        people = ctx.people.select(_k="pid", _dob="date_of_birth", _sex="sex", _age="age")
        joined = current.join(people, current.pid == people._k)
        age_first = age_on(joined._dob, joined.first_date)
        age_current = age_on(joined._dob, joined.date)
        age_term = ibis.cases(
            *[
                ((joined._age >= lowest) & (joined._sex == "M"), male)
                for lowest, male, _female in reversed(ogrs3.AGE_GENDER)
            ],
            *[
                ((joined._age >= lowest) & (joined._sex == "F"), female)
                for lowest, _male, female in reversed(ogrs3.AGE_GENDER)
            ],
            else_=ibis.null("float64"),
        )
        status = ibis.ifelse(joined.total == 1, ogrs3.FIRST_SANCTION, ogrs3.REPEAT_SANCTION)
        copas = (
            ogrs3.COPAS * (joined.total.cast("float64") / (10 + age_current - age_first).cast("float64")).ln()
        )
        scored = joined.select(
            "pid",
            "total",
            "first",
            "last",
            age_first=age_first,
            age_current=age_current,
            weight=joined.weight,
            linear=age_term + status + copas + joined.weight,
        )
        threshold = ogrs3.linear_threshold(self.at_least_percent, self.horizon_years)
        return scored.mutate(hold=(scored.linear >= threshold).fill_null(False))

    def explain(self, values: Values, as_of: dt.date) -> tuple[str, Ogrs3Unscored | Ogrs3Numbers]:
        found = span(values)
        linear: Any = values.get("linear")
        if missing(linear):
            text = (
                "no OGRS3 score (no sanction, under 10, sex not recorded as M or F, or offence not weighted)"
            )
            return text, Ogrs3Unscored(**found, linear=None)
        result = ogrs3.result_from_linear(float(linear))
        chosen = result.two_year_percent if self.horizon_years == 2 else result.one_year_percent
        text = (
            f"OGRS3 {chosen}% over {self.horizon_years} year(s) ({result.one_year_percent}% one year, "
            f"{result.two_year_percent}% two years, band {result.band}) from {as_int(values.get('total'))} "
            f"sanction occasions{between(found)}, first at age {as_int(values.get('age_first'))}, current at "
            f"age {as_int(values.get('age_current'))}, offence weight {float(values.get('weight') or 0):g}; "
            f"needs at least {self.at_least_percent}%"
        )
        return text, Ogrs3Numbers(
            **found,
            linear=round(float(linear), 6),
            one_year_percent=result.one_year_percent,
            two_year_percent=result.two_year_percent,
            band=result.band,
            total_sanctions=as_int(values.get("total")),
            age_at_first=as_int(values.get("age_first")),
            age_at_current=as_int(values.get("age_current")),
        )
