"""Clause kinds: the reasons every kind gives are the ones saved runs hold, byte for byte.

`golden/reasons.json` was written by the engine before clause kinds moved into one class each;
the saved runs in `cohort_candidate.reasons` and the JSON of `iom cohort identify --output` hold
the same dictionaries, so any change to a reason's text, numbers, key order or events shows here.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, ClassVar, get_args, get_type_hints

import ibis.expr.types as ir
import pytest

from openiom.cohorts.engine import DefinitionError, builtin_definitions, clauses, file_source, identify
from openiom.cohorts.engine.clauses.base import Context, EventClause, Values, as_int, dated_events, span
from openiom.cohorts.engine.clauses.count import CountNumbers
from openiom.cohorts.engine.terms import EventFilter, Events, PositiveInt
from tests.cohorts.conftest import definition_from
from tests.cohorts.test_parity import AS_OF, COMBINED, parity_world
from tests.cohorts.world import World

GOLDEN = Path(__file__).resolve().parent / "golden" / "reasons.json"

# Every clause kind and every variant of its reason (distinct counts, a rolling window, a score,
# OGRS3 with and without a score, both age bounds), under `or` so that clauses which do not hold
# are explained too.
EVERY_KIND = definition_from(
    "  or:\n"
    "    - {count: {events: all_events, at_least: 9}}\n"
    "    - count:\n"
    "        label: domestic-abuse victims\n"
    "        events: {types: all_events, domestic_abuse: true}\n"
    "        date: offence_date\n"
    "        within: {years: 3}\n"
    "        distinct: victim_ref\n"
    "        at_least: 2\n"
    "    - {count: {events: sanctions, distinct: outcome_date, at_least: 3}}\n"
    "    - {rolling_count: {events: proven_offences, period_days: 30, within: {months: 24}, at_least: 2}}\n"
    "    - {top_percent: {events: arrests, within: {years: 2}, percent: 25}}\n"
    "    - score:\n"
    "        gravity: {robbery: 10, burglary_dwelling: 7}\n"
    "        default_gravity: 1\n"
    "        recency:\n"
    "          - {within: {months: 6}, multiplier: 3}\n"
    "          - {within: {years: 4}, multiplier: 1}\n"
    "        at_least: 4\n"
    "    - {ogrs3: {horizon_years: 1, at_least_percent: 50}}\n"
    "    - {age: {at_least: 20, at_most: 40}}\n"
    "    - {not: {age: {at_most: 60}}}\n",
    id="every-kind",
)


def reasons_of_every_definition(tmp_path: Path) -> dict[str, Any]:
    people, events = parity_world().write(tmp_path)
    source = file_source(people=people, events=events)
    try:
        found = {}
        for definition in [*builtin_definitions(), COMBINED, EVERY_KIND]:
            result = identify(source, definition, AS_OF)
            found[definition.label] = [
                {
                    "person_key": c.person_key,
                    "summary": c.summary,
                    "reasons": [r.as_dict() for r in c.reasons],
                }
                for c in result.candidates
            ]
        return found
    finally:
        source.close()


def as_json(found: dict[str, Any]) -> str:
    # Key order is kept (no sort_keys): SQLite stores the JSON text as written.
    return json.dumps(found, indent=1, ensure_ascii=False) + "\n"


def test_every_kinds_reasons_are_unchanged(tmp_path: Path) -> None:
    found = reasons_of_every_definition(tmp_path)
    kinds = {r["kind"] for rows in found.values() for row in rows for r in row["reasons"]}
    assert kinds == {"count", "rolling_count", "top_percent", "score", "ogrs3", "age"}
    texts = [r["text"] for row in found["every-kind@1"] for r in row["reasons"]]
    assert any(t.startswith("no OGRS3 score") for t in texts)
    assert any(t.startswith("OGRS3 ") for t in texts)
    assert as_json(found) == GOLDEN.read_text(encoding="utf-8")


def test_golden_file_dates_are_plausible() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    firsts = [
        r["numbers"]["first"]
        for rows in golden.values()
        for row in rows
        for r in row["reasons"]
        if r["numbers"].get("first")
    ]
    assert firsts and all(dt.date.fromisoformat(d) <= AS_OF for d in firsts)


def test_rolling_count_that_does_not_hold_for_someone_without_events(select) -> None:
    # Found while writing the golden file: the person's rolling numbers are null (no matching
    # events), and listing the events inside their best window raised "cannot convert float NaN".
    w = World()
    w.person("NO_EVENTS", dob=dt.date(2010, 1, 1))
    w.person("BURST")
    for k in range(3):
        w.event("BURST", "conviction", dt.date(2026, 3, 1) + dt.timedelta(days=k))
    chosen = select(
        w, "  or:\n    - {age: {at_most: 17}}\n    - {rolling_count: {period_days: 30, at_least: 3}}\n", AS_OF
    )
    assert set(chosen) == {"SYNTH:NO_EVENTS", "SYNTH:BURST"}
    rolling = chosen["SYNTH:NO_EVENTS"].reasons[1]
    assert not rolling.held and rolling.events == ()
    assert rolling.numbers == {"first": None, "last": None, "count": 0, "at_least": 3, "period_days": 30}
    assert len(chosen["SYNTH:BURST"].reasons[1].events) == 3


class DistinctCategories(EventClause):
    """A kind written only here, as docs/cohorts.md says to add one: at least `at_least` different
    offence categories among matching events."""

    kind: ClassVar[str] = "distinct_categories"
    columns: ClassVar[tuple[str, ...]] = ("n", "first", "last")

    events: Events = EventFilter()
    at_least: PositiveInt

    def clause_events(self, ctx: Context) -> ir.Table:
        return dated_events(ctx, self.events, "offence_date", None)

    def table(self, ctx: Context) -> ir.Table:
        events = self.clause_events(ctx)
        per = events.group_by(["pid", "category"]).aggregate(first=events.day.min(), last=events.day.max())
        counted = per.group_by("pid").aggregate(
            n=per.count().cast("int64"), first=per["first"].min(), last=per["last"].max()
        )
        return counted.mutate(hold=counted.n >= self.at_least)

    def explain(self, values: Values, as_of: dt.date) -> tuple[str, CountNumbers]:
        n = as_int(values.get("n")) or 0
        return f"{n} offence categories; needs {self.at_least}", CountNumbers(
            **span(values), count=n, at_least=self.at_least
        )


def test_a_new_kind_is_one_class_in_the_registry(monkeypatch: pytest.MonkeyPatch, select) -> None:
    monkeypatch.setattr(clauses, "CLAUSES", clauses.registry(*clauses.CLAUSES.values(), DistinctCategories))
    w = World()
    w.person("TWO_KINDS")
    w.event("TWO_KINDS", "conviction", dt.date(2026, 1, 1), code="028/01")  # burglary (dwelling)
    w.event("TWO_KINDS", "caution", dt.date(2026, 2, 1), code="034/01")  # robbery
    w.person("ONE_KIND")
    w.event("ONE_KIND", "conviction", dt.date(2026, 1, 1), code="028/01")
    w.event("ONE_KIND", "conviction", dt.date(2026, 2, 1), code="028/01")
    chosen = select(w, "  distinct_categories: {events: proven_offences, at_least: 2}\n", AS_OF)
    assert set(chosen) == {"SYNTH:TWO_KINDS"}
    (reason,) = chosen["SYNTH:TWO_KINDS"].reasons
    assert (reason.kind, reason.text, len(reason.events)) == (
        "distinct_categories",
        "2 offence categories; needs 2",
        2,
    )
    assert reason.numbers == {"first": "2026-01-01", "last": "2026-02-01", "count": 2, "at_least": 2}
    # Its settings are validated and located like every other kind's.
    with pytest.raises(DefinitionError) as caught:
        definition_from("  distinct_categories: {at_least: 0}\n")
    assert caught.value.problems == [
        "test-rule.yaml: rule.distinct_categories.at_least: Input should be greater than or equal to 1"
    ]


def test_unknown_clause_lists_the_registered_kinds() -> None:
    with pytest.raises(DefinitionError) as caught:
        definition_from("  sometimes: {}\n")
    assert caught.value.problems == [
        "test-rule.yaml: rule: unknown clause 'sometimes'; expected one of: and, or, not, count, "
        "rolling_count, top_percent, score, ogrs3, age"
    ]


def test_two_kinds_cannot_share_a_key() -> None:
    with pytest.raises(ValueError, match="two clause kinds are called 'count'"):
        clauses.registry(*clauses.CLAUSES.values(), clauses.CountClause)


def numbers_types(kind: type[clauses.Clause]) -> list[Any]:
    """The TypedDicts a kind's `explain` says its reasons' numbers are."""
    returned = get_type_hints(kind.explain)["return"]
    _text, numbers = get_args(returned)
    return list(get_args(numbers)) or [numbers]


def test_saved_numbers_are_the_typed_numbers_of_their_kind() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    seen: set[str] = set()
    for rows in golden.values():
        for row in rows:
            for reason in row["reasons"]:
                kind = clauses.CLAUSES[reason["kind"]]
                keys = [list(get_type_hints(t)) for t in numbers_types(kind)]
                # The saved keys, in their saved order, are exactly one of the kind's TypedDicts.
                assert list(reason["numbers"]) in keys, (reason["kind"], list(reason["numbers"]), keys)
                seen.add(reason["kind"])
    assert seen == set(clauses.CLAUSES)
