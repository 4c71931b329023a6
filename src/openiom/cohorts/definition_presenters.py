"""A definition's rule as nested lines a reader can follow without knowing YAML (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from openiom.cohorts.engine.definitions import Combination, Definition, Node
from openiom.cohorts.engine.terms import EventFilter, Window

COMBINATOR_TEXT = {
    "and": "All of these hold:",
    "or": "At least one of these holds:",
    "not": "This does not hold:",
}


@dataclass(frozen=True)
class RuleLine:
    depth: int
    text: str
    path: str


def _value(value: Any) -> str:
    if isinstance(value, Window):
        return f"the last {value.describe()}"
    if isinstance(value, EventFilter):
        return value.noun() + (f" in categories {', '.join(value.categories)}" if value.categories else "")
    if isinstance(value, BaseModel):
        return "; ".join(f"{k.replace('_', ' ')} {_value(getattr(value, k))}" for k in _set_fields(value))
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("_", " ")


def _set_fields(model: BaseModel) -> list[str]:
    return [name for name in type(model).model_fields if name != "label" and getattr(model, name) is not None]


def rule_lines(definition: Definition) -> list[RuleLine]:
    """The rule, one line per combinator and clause; a clause line reads "label (kind): settings"."""
    lines: list[RuleLine] = []

    def walk(node: Node, depth: int) -> None:
        if isinstance(node, Combination):
            lines.append(RuleLine(depth, COMBINATOR_TEXT[node.op], node.path))
            for child in node.children:
                walk(child, depth + 1)
            return
        clause = node.clause
        settings = "; ".join(
            f"{name.replace('_', ' ')}: {_value(getattr(clause, name))}" for name in _set_fields(clause)
        )
        title = (
            f"{clause.label} ({node.kind.replace('_', ' ')})" if clause.label else node.kind.replace("_", " ")
        )
        lines.append(RuleLine(depth, f"{title} — {settings}", node.path))

    walk(definition.rule, 0)
    return lines
