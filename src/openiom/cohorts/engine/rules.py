"""Compile a definition into one Ibis expression that any engine runs.

Evaluation at an as-of date A:

- an event is visible when its outcome_date <= A (an offence not yet dealt with by A is not known
  at A); everything later is invisible to every clause;
- each clause says whether its dates are offence dates or outcome dates (`date:`), and its windows
  are whole calendar days on that date, ending on A, both ends inclusive;
- dates are compared as integer epoch days, and the day numbers for window starts are computed once
  in Python (`dates.py`), so DuckDB, Spark, SQLite and PostgreSQL compare the same integers.

Each leaf clause adds its verdict and the numbers behind it to the people table (its kind's class in
`openiom.cohorts.engine.clauses` builds the expression); the combinators become boolean expressions
over those columns, evaluated in the engine on the people table, so `not` sees people with no events
at all.
"""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir

from openiom.cohorts.engine.clauses.base import Context, age_on
from openiom.cohorts.engine.dates import epoch_day
from openiom.cohorts.engine.definitions import Combination, Definition, Leaf, Node


def visible_events(events: ir.Table, as_of: dt.date) -> ir.Table:
    return events.filter(events.out_day <= epoch_day(as_of))


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
    # Leaves that must hold for the rule to hold are added first, keeping only people for whom they
    # hold: the later joins and the result then touch those people only.
    order = sorted(range(len(leaves)), key=lambda i: id(leaves[i]) not in needed)
    for index in order:
        leaf = leaves[index]
        table = leaf.clause.add_to(table, ctx, leaf_prefix(index), required=id(leaf) in needed)

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
        for col in (*leaf.clause.columns, "hold")
    ]
    return table.filter(expression(definition.rule)).select("pid", "person_key", "age", *columns)
