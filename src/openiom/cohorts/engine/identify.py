"""Run a definition on a source and explain every selected person."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import ibis
import ibis.expr.types as ir

from openiom.cohorts.engine import ogrs3
from openiom.cohorts.engine.dates import from_epoch_day
from openiom.cohorts.engine.definitions import (
    AgeClause,
    CountClause,
    Definition,
    Leaf,
    Ogrs3Clause,
    RollingCountClause,
    ScoreClause,
    TopPercentClause,
)
from openiom.cohorts.engine.rules import (
    LEAF_COLUMNS,
    Context,
    clause_events,
    compile_definition,
    context,
    leaf_prefix,
)
from openiom.cohorts.engine.sources import Source


@dataclass(frozen=True)
class Reason:
    """One clause as it stood for one person: did it hold, the sentence, the numbers, the events."""

    clause: str
    path: str
    kind: str
    held: bool
    text: str
    numbers: dict[str, Any]
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
    reasons: tuple[Reason, ...]

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
                values = {name: record.get(prefix + name) for name in (*LEAF_COLUMNS[leaf.kind], "hold")}
                events = sorted(self.evidence.get((record["person_key"], index), []))
                low, high = _int(values.get("first")), _int(values.get("last"))
                if isinstance(leaf.clause, RollingCountClause) and low is not None and high is not None:
                    events = [(d, k) for d, k in events if low <= d <= high]
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


def _day(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return from_epoch_day(int(value)).isoformat()


def _int(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _window_text(leaf: Leaf, as_of: dt.date) -> str:
    clause = leaf.clause
    within = getattr(clause, "within", None)
    basis = "offence date" if getattr(clause, "date", "outcome_date") == "offence_date" else "outcome date"
    if within is None:
        return f"up to {as_of.isoformat()} (by {basis})"
    return f"in the {within.describe()} {within.start(as_of).isoformat()} to {as_of.isoformat()} (by {basis})"


def explain(leaf: Leaf, values: dict[str, Any], as_of: dt.date, events: tuple[str, ...]) -> Reason:
    """Turn a leaf's numbers for one person into a sentence a coordinator can read."""
    clause = leaf.clause
    held = bool(values.get("hold"))
    first, last = _day(values.get("first")), _day(values.get("last"))
    between = f" between {first} and {last}" if first else ""
    numbers: dict[str, Any] = {"first": first, "last": last}
    if isinstance(clause, AgeClause):
        age = _int(values.get("age"))
        limits = []
        if clause.at_least is not None:
            limits.append(f"at least {clause.at_least}")
        if clause.at_most is not None:
            limits.append(f"at most {clause.at_most}")
        text = f"aged {age} on {as_of.isoformat()} (needs {' and '.join(limits)})"
        return Reason(leaf.name, leaf.path, leaf.kind, held, text, {"age": age})
    if isinstance(clause, CountClause):
        n = _int(values.get("n")) or 0
        noun = clause.events.noun()
        if clause.distinct == "victim_ref":
            what = f"{n} different victims in {noun}"
        elif clause.distinct == "outcome_date":
            what = f"{n} separate days of {noun}"
        else:
            what = f"{n} {noun}"
        text = f"{what}{between} {_window_text(leaf, as_of)}; needs at least {clause.at_least}"
        numbers.update(count=n, at_least=clause.at_least)
    elif isinstance(clause, RollingCountClause):
        n = _int(values.get("n")) or 0
        text = (
            f"{n} {clause.events.noun()}{between} (within {clause.period_days} consecutive days) "
            f"{_window_text(leaf, as_of)}; needs at least {clause.at_least} in any {clause.period_days} days"
        )
        numbers.update(count=n, at_least=clause.at_least, period_days=clause.period_days)
    elif isinstance(clause, TopPercentClause):
        n, rank, population = (
            _int(values.get("n")) or 0,
            _int(values.get("rank")),
            _int(values.get("population")),
        )
        text = (
            f"{n} {clause.events.noun()}{between} {_window_text(leaf, as_of)}: ranked {rank} of {population} "
            f"people with any; top {clause.percent:g}% selected"
        )
        numbers.update(count=n, rank=rank, population=population, percent=clause.percent)
    elif isinstance(clause, ScoreClause):
        score, n = _int(values.get("score")) or 0, _int(values.get("n")) or 0
        text = (
            f"score {score} from {n} {clause.events.noun()}{between} "
            f"in the {clause.recency[-1].within.describe()} to {as_of.isoformat()}; needs at least {clause.at_least}"
        )
        numbers.update(score=score, count=n, at_least=clause.at_least)
    elif isinstance(clause, Ogrs3Clause):
        linear = values.get("linear")
        if linear is None or (isinstance(linear, float) and math.isnan(linear)):
            text = (
                "no OGRS3 score (no sanction, under 10, sex not recorded as M or F, or offence not weighted)"
            )
            numbers.update(linear=None)
        else:
            result = ogrs3.result_from_linear(float(linear))
            chosen = result.two_year_percent if clause.horizon_years == 2 else result.one_year_percent
            text = (
                f"OGRS3 {chosen}% over {clause.horizon_years} year(s) ({result.one_year_percent}% one year, "
                f"{result.two_year_percent}% two years, band {result.band}) from {_int(values.get('total'))} "
                f"sanction occasions{between}, first at age {_int(values.get('age_first'))}, current at age "
                f"{_int(values.get('age_current'))}, offence weight {float(values.get('weight') or 0):g}; "
                f"needs at least {clause.at_least_percent}%"
            )
            numbers.update(
                linear=round(float(linear), 6),
                one_year_percent=result.one_year_percent,
                two_year_percent=result.two_year_percent,
                band=result.band,
                total_sanctions=_int(values.get("total")),
                age_at_first=_int(values.get("age_first")),
                age_at_current=_int(values.get("age_current")),
            )
    else:
        raise TypeError(leaf.kind)
    return Reason(leaf.name, leaf.path, leaf.kind, held, text, numbers, events)


def _evidence(leaves: list[Leaf], ctx: Context, selected: ir.Table) -> ir.Table | None:
    """One query listing, for every selected person and leaf, the events the leaf counted."""
    keys = selected.select(_sel="pid", _key="person_key")
    parts = []
    for index, leaf in enumerate(leaves):
        events = clause_events(leaf, ctx)
        if events is None:
            continue
        if isinstance(leaf.clause, CountClause) and leaf.clause.distinct == "victim_ref":
            events = events.filter(events.victim_ref.notnull())
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
