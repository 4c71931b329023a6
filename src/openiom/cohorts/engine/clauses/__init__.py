"""The clause kinds a definition's rule may use: the one list to add a new kind to.

Each kind is one class in its own module, subclassing `Clause` (or `EventClause`), that owns its
YAML settings and their validation, its Ibis expression, the events it counts and its reason; see
docs/cohorts.md, "Adding a clause kind".
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from openiom.cohorts.engine.clauses.age import AgeClause
from openiom.cohorts.engine.clauses.base import Clause, Context, EventClause
from openiom.cohorts.engine.clauses.count import CountClause
from openiom.cohorts.engine.clauses.ogrs3 import Ogrs3Clause
from openiom.cohorts.engine.clauses.rolling_count import RollingCountClause
from openiom.cohorts.engine.clauses.score import ScoreClause
from openiom.cohorts.engine.clauses.top_percent import TopPercentClause


def registry(*kinds: type[Clause]) -> Mapping[str, type[Clause]]:
    """Clause classes by their YAML key, in the order error messages list them."""
    found: dict[str, type[Clause]] = {}
    for kind in kinds:
        if kind.kind in found:
            raise ValueError(f"two clause kinds are called {kind.kind!r}: {found[kind.kind]} and {kind}")
        found[kind.kind] = kind
    return MappingProxyType(found)


CLAUSES = registry(CountClause, RollingCountClause, TopPercentClause, ScoreClause, Ogrs3Clause, AgeClause)

__all__ = [
    "CLAUSES",
    "AgeClause",
    "Clause",
    "Context",
    "CountClause",
    "EventClause",
    "Ogrs3Clause",
    "RollingCountClause",
    "ScoreClause",
    "TopPercentClause",
    "registry",
]
