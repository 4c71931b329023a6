"""What every clause kind provides, and the expression and reason pieces the kinds share.

A clause kind is one class (see docs/cohorts.md, "Adding a clause kind"): its settings are the
class's fields, validated by pydantic, so a bad setting is reported at its YAML key
(`rule.and[1].count.at_least: ...`); `add_to` adds its verdict (`hold`) and the numbers behind it
(`columns`) to the table of people; `clause_events` gives the events it counted, listed with each
reason; and `explain` turns one person's numbers into the sentence and the typed numbers of their reason.
"""

from __future__ import annotations

import datetime as dt
import math
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypedDict

import ibis
import ibis.expr.types as ir

from openiom.cohorts.engine.dates import epoch_day, from_epoch_day
from openiom.cohorts.engine.terms import DateField, EventFilter, Strict, Window

# One person's numbers for one clause, as the engine computed them: `hold` and each of the kind's
# `columns`, any of which may be null (None or NaN) when the person has no matching events.
Values = Mapping[str, Any]
# A list of (epoch day, event key) of the events a clause counted for one person.
Listed = list[tuple[int, str]]


@dataclass(frozen=True)
class Context:
    as_of: dt.date
    events: ir.Table  # visible events only
    people: ir.Table  # pid, person_key, date_of_birth, sex, age


class Span(TypedDict):
    """First and last day (ISO dates) of the events behind a clause, None without any."""

    first: str | None
    last: str | None


class Clause(Strict):
    """One leaf of a definition's rule. Subclasses set `kind` (its YAML key) and `columns`."""

    kind: ClassVar[str]
    # The numbers the engine computes for each person besides `hold`; `explain` reads them.
    columns: ClassVar[tuple[str, ...]]

    label: str | None = None

    @abstractmethod
    def add_to(self, table: ir.Table, ctx: Context, prefix: str, *, required: bool) -> ir.Table:
        """`table` (one row per person) with `{prefix}hold` and `{prefix}<column>` for each of
        `columns`. When `required`, the rule cannot hold unless this clause does, so people for
        whom it does not may be dropped."""

    def clause_events(self, ctx: Context) -> ir.Table | None:
        """The events this clause looks at (pid, day and the event columns), None if it looks at
        none; the events listed with a reason are these."""
        return None

    def evidence(self, values: Values, listed: Listed) -> Listed:
        """Of the events `clause_events` gave for one person, those the reason lists."""
        return listed

    @abstractmethod
    def explain(self, values: Values, as_of: dt.date) -> tuple[str, Mapping[str, object]]:
        """The sentence a coordinator reads and the typed numbers saved with the reason."""


class EventClause(Clause):
    """A clause decided by a per-person summary of the person's events."""

    @abstractmethod
    def clause_events(self, ctx: Context) -> ir.Table: ...

    @abstractmethod
    def table(self, ctx: Context) -> ir.Table:
        """One row per person with any matching event: pid, hold and each of `columns`."""

    def add_to(self, table: ir.Table, ctx: Context, prefix: str, *, required: bool) -> ir.Table:
        result = self.table(ctx)
        if required:
            result = result.filter(result.hold)
        renamed = result.select(
            _key=result.pid, **{f"{prefix}{col}": result[col] for col in (*self.columns, "hold")}
        )
        if required:
            return table.join(renamed, table.pid == renamed._key).drop("_key")
        # People without matching events are kept: `not` and `or` can still select them.
        joined = table.left_join(renamed, table.pid == renamed._key).drop("_key")
        return joined.mutate(**{f"{prefix}hold": joined[f"{prefix}hold"].fill_null(False)})


def age_on(dob: ir.DateValue, day: dt.date | ir.DateValue) -> ir.IntegerValue:
    """Whole years from `dob` to `day` (a birthday on 29 February is reached on 1 March)."""
    if isinstance(day, dt.date):
        year, month_day = ibis.literal(day.year), ibis.literal(day.month * 100 + day.day)
    else:
        year, month_day = day.year(), day.month() * 100 + day.day()
    before_birthday = ibis.ifelse(month_day < dob.month() * 100 + dob.day(), 1, 0)
    return (year - dob.year() - before_birthday).cast("int64")


def matching(events: ir.Table, chosen: EventFilter) -> ir.Table:
    condition = events.event_type.isin(list(chosen.event_types()))
    if chosen.categories:
        condition &= events.category.isin(chosen.categories)
    if chosen.neighbourhood_crime is not None:
        condition &= events.neighbourhood_crime == chosen.neighbourhood_crime
    if chosen.domestic_abuse is not None:
        condition &= events.domestic_abuse == chosen.domestic_abuse
    return events.filter(condition)


def day_column(date: DateField) -> str:
    return "off_day" if date == "offence_date" else "out_day"


def dated_events(ctx: Context, chosen: EventFilter, date: DateField, within: Window | None) -> ir.Table:
    """Matching events with `day` the clause's date, inside `within` (None: all history)."""
    events = matching(ctx.events, chosen).mutate(day=ibis._[day_column(date)])
    if within is None:
        return events
    return events.filter(events.day >= epoch_day(within.start(ctx.as_of)))


def count_per_person(events: ir.Table) -> ir.Table:
    """pid, n (events), first and last day."""
    return events.group_by("pid").aggregate(
        n=events.count().cast("int64"), first=events.day.min(), last=events.day.max()
    )


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_day(value: Any) -> str | None:
    return None if missing(value) else from_epoch_day(int(value)).isoformat()


def as_int(value: Any) -> int | None:
    if missing(value):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def span(values: Values) -> Span:
    return Span(first=as_day(values.get("first")), last=as_day(values.get("last")))


def between(found: Span) -> str:
    return f" between {found['first']} and {found['last']}" if found["first"] else ""


def window_text(within: Window | None, date: DateField, as_of: dt.date) -> str:
    basis = "offence date" if date == "offence_date" else "outcome date"
    if within is None:
        return f"up to {as_of.isoformat()} (by {basis})"
    return f"in the {within.describe()} {within.start(as_of).isoformat()} to {as_of.isoformat()} (by {basis})"
