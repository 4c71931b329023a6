"""The attacker: the range each hidden cell can take given everything published.

Integer programs (scipy's HiGHS milp): every cell a non-negative integer, every relation holding,
published cells fixed, a "fewer than N" cell between 1 and N - 1, a withheld cell 0 or more. A
hidden cell whose minimum equals its maximum has been recovered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from openiom.returns.cells import DisclosureConfig, Relation, Shown


def intervals(
    values: Mapping[str, int],
    shown: Mapping[str, Shown],
    relations: Sequence[Relation],
    config: DisclosureConfig,
) -> dict[str, tuple[float, float]]:
    """For each hidden cell, the least and greatest value consistent with what is published."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    hidden = [k for k in values if shown[k] is not Shown.VALUE]
    index = {k: i for i, k in enumerate(hidden)}
    if not hidden:
        return {}
    rows: list[list[float]] = []
    rhs: list[float] = []
    for relation in relations:
        row = [0.0] * len(hidden)
        known = 0.0
        for key, sign in [(relation.total, -1.0), *((p, 1.0) for p in relation.parts)]:
            if key in index:
                row[index[key]] += sign
            else:
                known += sign * values[key]  # published: the attacker reads it
        if any(row):
            rows.append(row)
            rhs.append(-known)
    lower: npt.NDArray[np.float64] = np.array(
        [1.0 if shown[k] is Shown.SMALL else 0.0 for k in hidden], dtype=np.float64
    )
    upper: npt.NDArray[np.float64] = np.array(
        [config.suppress_below - 1.0 if shown[k] is Shown.SMALL else np.inf for k in hidden],
        dtype=np.float64,
    )
    constraints = [LinearConstraint(np.array(rows), np.array(rhs), np.array(rhs))] if rows else []
    integrality: npt.NDArray[np.int_] = np.ones(len(hidden), dtype=np.int_)
    found: dict[str, tuple[float, float]] = {}
    for key, i in index.items():
        ends: list[float] = []
        for direction in (1.0, -1.0):
            cost: npt.NDArray[np.float64] = np.zeros(len(hidden), dtype=np.float64)
            cost[i] = direction
            result = milp(cost, constraints=constraints, integrality=integrality, bounds=Bounds(lower, upper))
            # No bound in this direction (nothing published limits it): unbounded, not recovered.
            ends.append(float(result.x[i]) if result.x is not None else direction * -np.inf)
        found[key] = (ends[0], ends[1])
    return found


def recovered(
    values: Mapping[str, int],
    shown: Mapping[str, Shown],
    relations: Sequence[Relation],
    config: DisclosureConfig,
) -> dict[str, int]:
    """Hidden cells whose value is fixed by what is published."""
    return {
        key: round(low)
        for key, (low, high) in intervals(values, shown, relations, config).items()
        if np.isfinite(high) and round(low) == round(high)
    }
