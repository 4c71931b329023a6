"""Run a definition on a source and explain every selected person."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import ibis
import ibis.expr.types as ir

from openiom.cohorts.engine.clauses.base import Context, Values
from openiom.cohorts.engine.definitions import Definition, Leaf
from openiom.cohorts.engine.rules import compile_definition, context, leaf_prefix
from openiom.cohorts.engine.sources import Source


@dataclass(frozen=True)
class Reason[N: Mapping[str, object]]:
    """One clause as it stood for one person: did it hold, the sentence, the numbers, the events.

    `numbers` are typed by the clause kind (`CountNumbers`, `Ogrs3Numbers`, ...): each is a
    TypedDict, so what is saved is that dictionary itself."""

    clause: str
    path: str
    kind: str
    held: bool
    text: str
    numbers: N
    events: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "path": self.path,
            "kind": self.kind,
            "held": self.held,
            "text": self.text,
            "numbers": self.numbers,
            "events": list(self.events),
        }


@dataclass(frozen=True)
class Candidate:
    person_key: str
    reasons: tuple[Reason[Mapping[str, object]], ...]

    @property
    def summary(self) -> str:
        return "; ".join(r.text for r in self.reasons if r.held)


@dataclass
class CohortResult:
    """The people a definition selected. `frame` holds, per person, every clause's numbers as the
    engine computed them; `candidates` turns them into reasons when first asked for."""

    definition: Definition
    as_of: dt.date
    engine: str
    snapshot: dict[str, Any]
    snapshot_id: str
    frame: Any  # pandas DataFrame: person_key plus c{i}_* columns, sorted by person_key
    evidence: dict[tuple[str, int], list[tuple[int, str]]] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def keys(self) -> set[str]:
        return set(self.frame["person_key"])

    def __len__(self) -> int:
        return len(self.frame)

    @cached_property
    def candidates(self) -> list[Candidate]:
        leaves = self.definition.leaves()
        found = []
        for record in self.frame.to_dict("records"):
            reasons = []
            for index, leaf in enumerate(leaves):
                prefix = leaf_prefix(index)
                values = {name: record.get(prefix + name) for name in (*leaf.clause.columns, "hold")}
                listed = sorted(self.evidence.get((record["person_key"], index), []))
                events = leaf.clause.evidence(values, listed)
                reasons.append(explain(leaf, values, self.as_of, tuple(k for _d, k in events)))
            found.append(Candidate(record["person_key"], tuple(reasons)))
        return found

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "person_key": c.person_key,
                "definition": self.definition.label,
                "as_of": self.as_of.isoformat(),
                "snapshot": self.snapshot_id,
                "reasons": c.summary,
            }
            for c in self.candidates
        ]


def explain(
    leaf: Leaf, values: Values, as_of: dt.date, events: tuple[str, ...]
) -> Reason[Mapping[str, object]]:
    """Turn a leaf's numbers for one person into a sentence a coordinator can read."""
    text, numbers = leaf.clause.explain(values, as_of)
    return Reason(leaf.name, leaf.path, leaf.kind, bool(values.get("hold")), text, numbers, events)


def _evidence(leaves: list[Leaf], ctx: Context, selected: ir.Table) -> ir.Table | None:
    """One query listing, for every selected person and leaf, the events the leaf counted."""
    keys = selected.select(_sel="pid", _key="person_key")
    parts = []
    for index, leaf in enumerate(leaves):
        events = leaf.clause.clause_events(ctx)
        if events is None:
            continue
        joined = events.join(keys, events.pid == keys._sel)
        parts.append(
            joined.select(
                person_key=joined._key,
                event_key=joined.esys.concat(":", joined.eid),
                day=joined.day,
                leaf=ibis.literal(index, "int64"),
            )
        )
    if not parts:
        return None
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def identify(
    source: Source, definition: Definition, as_of: dt.date, *, evidence: bool = True
) -> CohortResult:
    """Select the people `definition` picks at `as_of`, with the numbers behind every clause and
    (with `evidence`) the events each clause counted for each selected person."""
    ctx = context(source.people, source.events, as_of)
    selected = compile_definition(definition, ctx)
    frame = source.execute(selected).sort_values("person_key", ignore_index=True)
    listing: dict[tuple[str, int], list[tuple[int, str]]] = {}
    if evidence and len(frame):
        keyed = context(source.people, source.keyed_events, as_of)
        query = _evidence(definition.leaves(), keyed, selected)
        if query is not None:
            for person_key, event_key, day, leaf in source.execute(query).itertuples(index=False):
                listing.setdefault((person_key, int(leaf)), []).append((int(day), event_key))
    return CohortResult(definition, as_of, source.engine, source.snapshot, source.snapshot_id, frame, listing)
