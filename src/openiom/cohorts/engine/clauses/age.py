"""`age`: age in whole years on the as-of date, within bounds."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, TypedDict

import ibis
import ibis.expr.types as ir
from pydantic import Field, model_validator

from openiom.cohorts.engine.clauses.base import Clause, Context, Values, as_int


class AgeNumbers(TypedDict):
    age: int | None


class AgeClause(Clause):
    """Age in whole years on the as-of date."""

    kind: ClassVar[str] = "age"
    columns: ClassVar[tuple[str, ...]] = ("age",)

    at_least: Annotated[int, Field(ge=0)] | None = None
    at_most: Annotated[int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> AgeClause:
        if self.at_least is None and self.at_most is None:
            raise ValueError("give at_least, at_most or both")
        return self

    def add_to(self, table: ir.Table, ctx: Context, prefix: str, *, required: bool) -> ir.Table:
        # Decided on the person's own row (`age` is on the table already): no events, no join.
        hold = ibis.literal(True)
        if self.at_least is not None:
            hold &= table.age >= self.at_least
        if self.at_most is not None:
            hold &= table.age <= self.at_most
        return table.mutate(**{f"{prefix}hold": hold, f"{prefix}age": table.age})

    def explain(self, values: Values, as_of: dt.date) -> tuple[str, AgeNumbers]:
        age = as_int(values.get("age"))
        limits = []
        if self.at_least is not None:
            limits.append(f"at least {self.at_least}")
        if self.at_most is not None:
            limits.append(f"at most {self.at_most}")
        return f"aged {age} on {as_of.isoformat()} (needs {' and '.join(limits)})", AgeNumbers(age=age)
