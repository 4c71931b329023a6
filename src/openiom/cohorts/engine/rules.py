"""Compile a definition into one Ibis expression that any engine runs.

Evaluation at an as-of date A:

- an event is visible when its outcome_date <= A (an offence not yet dealt with by A is not known
  at A); everything later is invisible to every clause;
- each clause says whether its dates are offence dates or outcome dates (`date:`), and its windows
  are whole calendar days on that date, ending on A, both ends inclusive;
- dates are compared as integer epoch days, and the day numbers for window starts are computed once
  in Python (`dates.py`), so DuckDB, Spark, SQLite and PostgreSQL compare the same integers.

Each leaf clause becomes a per-person table (pid, hold, and the numbers behind it); the
combinators become boolean expressions over those columns, evaluated in the engine on the people
table, so `not` sees people with no events at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from openiom.cohorts.engine import ogrs3
from openiom.cohorts.engine.dates import epoch_day
from openiom.cohorts.engine.definitions import (
    AgeClause,
    Combination,
    CountClause,
    Definition,
    EventFilter,
    Leaf,
    Node,
    Ogrs3Clause,
    RollingCountClause,
    ScoreClause,
    TopPercentClause,
)

# Columns each leaf kind produces besides pid and hold.
LEAF_COLUMNS: dict[str, tuple[str, ...]] = {
    "count": ("n", "first", "last"),
    "rolling_count": ("n", "first", "last"),
    "top_percent": ("n", "first", "last", "rank", "population"),
    "score": ("score", "n", "first", "last"),
    "ogrs3": ("linear", "total", "first", "last", "age_first", "age_current", "weight"),
    "age": ("age",),
}


def age_on(dob: ir.DateValue, day: dt.date | ir.DateValue) -> ir.IntegerValue:
    """Whole years from `dob` to `day` (a birthday on 29 February is reached on 1 March)."""
    if isinstance(day, dt.date):
        year, month_day = ibis.literal(day.year), ibis.literal(day.month * 100 + day.day)
    else:
        year, month_day = day.year(), day.month() * 100 + day.day()
    before_birthday = ibis.ifelse(month_day < dob.month() * 100 + dob.day(), 1, 0)
    return (year - dob.year() - before_birthday).cast("int64")


def visible_events(events: ir.Table, as_of: dt.date) -> ir.Table:
    return events.filter(events.out_day <= epoch_day(as_of))


def matching(events: ir.Table, chosen: EventFilter) -> ir.Table:
    condition = events.event_type.isin(list(chosen.event_types()))
    if chosen.categories:
        condition &= events.category.isin(chosen.categories)
    if chosen.neighbourhood_crime is not None:
        condition &= events.neighbourhood_crime == chosen.neighbourhood_crime
    if chosen.domestic_abuse is not None:
        condition &= events.domestic_abuse == chosen.domestic_abuse
    return events.filter(condition)


def day_column(date: str) -> str:
    return "off_day" if date == "offence_date" else "out_day"


@dataclass(frozen=True)
class Context:
    as_of: dt.date
    events: ir.Table  # visible events only
    people: ir.Table  # pid, person_key, date_of_birth, sex, age


def clause_events(leaf: Leaf, ctx: Context) -> ir.Table | None:
    """The events a leaf looks at (after its filter and window), with `day` set; None for age."""
    clause = leaf.clause
    if isinstance(clause, AgeClause):
        return None
    if isinstance(clause, Ogrs3Clause):
        return matching(ctx.events, EventFilter(types="sanctions")).mutate(day=ibis._.out_day)
    assert isinstance(clause, CountClause | RollingCountClause | TopPercentClause | ScoreClause)
    events = matching(ctx.events, clause.events).mutate(day=ibis._[day_column(clause.date)])
    if isinstance(clause, ScoreClause):
        start = clause.recency[-1].within.start(ctx.as_of)
    elif clause.within is not None:
        start = clause.within.start(ctx.as_of)
    else:
        return events
    return events.filter(events.day >= epoch_day(start))


def _count(leaf: Leaf, clause: CountClause, ctx: Context) -> ir.Table:
    events = clause_events(leaf, ctx)
    assert events is not None
    if clause.distinct is not None:
        column = "victim_ref" if clause.distinct == "victim_ref" else "out_day"
        # Two group-bys rather than COUNT(DISTINCT): faster on DuckDB at scale.
        values = events.filter(events[column].notnull()).group_by(["pid", column])
        values = values.aggregate(first=ibis._.day.min(), last=ibis._.day.max())
        counted = values.group_by("pid").aggregate(
            n=values.count().cast("int64"), first=values["first"].min(), last=values["last"].max()
        )
    else:
        counted = events.group_by("pid").aggregate(
            n=events.count().cast("int64"), first=events.day.min(), last=events.day.max()
        )
    return counted.mutate(hold=counted.n >= clause.at_least)


def _rolling(leaf: Leaf, clause: RollingCountClause, ctx: Context) -> ir.Table:
    events = clause_events(leaf, ctx)
    assert events is not None
    # RANGE over integer days: the frame is every event within period_days - 1 days before this
    # one, including all events on the same day, which is "any N consecutive days, inclusive".
    frame = ibis.window(group_by="pid", order_by="day", range=(-(clause.period_days - 1), 0))
    windows = events.mutate(n=events.count().over(frame).cast("int64"), first=events.day.min().over(frame))
    best = ibis.row_number().over(group_by="pid", order_by=[ibis.desc("n"), "day"])
    windows = windows.mutate(_best=best)
    top = windows.filter(windows._best == 0).select("pid", "n", "first", last="day")
    return top.mutate(hold=top.n >= clause.at_least)


def _top_percent(leaf: Leaf, clause: TopPercentClause, ctx: Context) -> ir.Table:
    events = clause_events(leaf, ctx)
    assert events is not None
    counted = events.group_by("pid").aggregate(
        n=events.count().cast("int64"), first=events.day.min(), last=events.day.max()
    )
    # rank() is the number of people with strictly more; ties at the cut-off are all included.
    ranked = counted.mutate(
        rank=(ibis.rank().over(order_by=ibis.desc("n")) + 1).cast("int64"),
        population=counted.count().over(ibis.window()).cast("int64"),
    )
    return ranked.mutate(hold=(ranked["rank"] - 1) * 100 < ranked.population * clause.percent)


def _score(leaf: Leaf, clause: ScoreClause, ctx: Context) -> ir.Table:
    events = clause_events(leaf, ctx)
    assert events is not None
    gravity = ibis.cases(
        *[(events.category == category, weight) for category, weight in clause.gravity.items()],
        else_=clause.default_gravity,
    )
    recency = ibis.cases(
        *[
            (events.day >= epoch_day(band.within.start(ctx.as_of)), band.multiplier)
            for band in clause.recency
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
    return summed.mutate(hold=summed.score >= clause.at_least)


def _ogrs3(leaf: Leaf, clause: Ogrs3Clause, ctx: Context) -> ir.Table:
    sanctions = clause_events(leaf, ctx)
    assert sanctions is not None
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
            (
                (joined._age >= lowest) & (joined._sex == "M"),
                male,
            )
            for lowest, male, _female in reversed(ogrs3.AGE_GENDER)
        ],
        *[
            ((joined._age >= lowest) & (joined._sex == "F"), female)
            for lowest, _male, female in reversed(ogrs3.AGE_GENDER)
        ],
        else_=ibis.null("float64"),
    )
    status = ibis.ifelse(joined.total == 1, ogrs3.FIRST_SANCTION, ogrs3.REPEAT_SANCTION)
    copas = ogrs3.COPAS * (joined.total.cast("float64") / (10 + age_current - age_first).cast("float64")).ln()
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
    threshold = ogrs3.linear_threshold(clause.at_least_percent, clause.horizon_years)
    return scored.mutate(hold=(scored.linear >= threshold).fill_null(False))


def leaf_table(leaf: Leaf, ctx: Context) -> ir.Table:
    clause = leaf.clause
    if isinstance(clause, CountClause):
        return _count(leaf, clause, ctx)
    if isinstance(clause, RollingCountClause):
        return _rolling(leaf, clause, ctx)
    if isinstance(clause, TopPercentClause):
        return _top_percent(leaf, clause, ctx)
    if isinstance(clause, ScoreClause):
        return _score(leaf, clause, ctx)
    if isinstance(clause, Ogrs3Clause):
        return _ogrs3(leaf, clause, ctx)
    raise TypeError(f"no table for {leaf.kind}")


def context(people: ir.Table, events: ir.Table, as_of: dt.date) -> Context:
    people = people.mutate(age=age_on(people.date_of_birth, as_of))
    return Context(as_of, visible_events(events, as_of), people)


def leaf_prefix(index: int) -> str:
    return f"c{index}_"


def required_leaves(node: Node) -> set[int]:
    """The ids of the leaves that must hold for `node` to hold (leaves under or / not need not)."""
    if isinstance(node, Leaf):
        return {id(node)}
    if node.op == "and":
        return set().union(*(required_leaves(child) for child in node.children))
    return set()


def compile_definition(definition: Definition, ctx: Context) -> ir.Table:
    """Selected people: pid, person_key, age and c{i}_hold / c{i}_<number> for every leaf i."""
    leaves = definition.leaves()
    needed = required_leaves(definition.rule)
    table = ctx.people.select("pid", "person_key", "age")
    # Leaves that must hold for the rule to hold are joined first, keeping only people for whom they
    # hold: the later joins and the result then touch those people only.
    order = sorted(range(len(leaves)), key=lambda i: id(leaves[i]) not in needed)
    for index in order:
        leaf = leaves[index]
        prefix = leaf_prefix(index)
        clause = leaf.clause
        if isinstance(clause, AgeClause):
            hold = ibis.literal(True)
            if clause.at_least is not None:
                hold &= table.age >= clause.at_least
            if clause.at_most is not None:
                hold &= table.age <= clause.at_most
            table = table.mutate(**{f"{prefix}hold": hold, f"{prefix}age": table.age})
            continue
        result = leaf_table(leaf, ctx)
        if id(leaf) in needed:
            result = result.filter(result.hold)
        renamed = result.select(
            _key=result.pid,
            **{f"{prefix}{col}": result[col] for col in (*LEAF_COLUMNS[leaf.kind], "hold")},
        )
        if id(leaf) in needed:
            table = table.join(renamed, table.pid == renamed._key).drop("_key")
        else:
            table = table.left_join(renamed, table.pid == renamed._key).drop("_key")
            table = table.mutate(**{f"{prefix}hold": table[f"{prefix}hold"].fill_null(False)})

    positions = {id(leaf): index for index, leaf in enumerate(leaves)}

    def expression(node: Node) -> ir.BooleanValue:
        if isinstance(node, Leaf):
            return table[f"{leaf_prefix(positions[id(node)])}hold"]
        assert isinstance(node, Combination)
        parts = [expression(child) for child in node.children]
        if node.op == "not":
            return ~parts[0]
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined & part) if node.op == "and" else (combined | part)
        return combined

    columns = [
        f"{leaf_prefix(index)}{col}"
        for index, leaf in enumerate(leaves)
        for col in (*LEAF_COLUMNS[leaf.kind], "hold")
    ]
    return table.filter(expression(definition.rule)).select("pid", "person_key", "age", *columns)
