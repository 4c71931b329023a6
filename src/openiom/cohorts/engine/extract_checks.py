"""What an extract's rows do to an analysis: the rows the engine drops and the rows it doubts.

`iom import` refuses such rows; the cohort engine reads extracts as they are, so without this an
event of an unknown type, with no outcome date, or of a person not in the people file silently
counts for nothing, and an unknown offence code silently drops its person out of OGRS3. The checks
run on the engine itself (one aggregate over the files, then a few example rows for each problem
found), so they cost one pass over 20 million events rather than a load into Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from openiom.vocabulary import EVENT_TYPES

EXAMPLES = 3


@dataclass(frozen=True)
class Check:
    name: str
    file: str  # "people" or "events"
    effect: str  # "dropped" or "doubted"
    text: str


CHECKS = (
    Check("person_not_found", "events", "dropped", "the person is not in the people file"),
    Check("unknown_event_type", "events", "dropped", "event_type is not one of " + ", ".join(EVENT_TYPES)),
    Check("no_outcome_date", "events", "dropped", "outcome_date is empty, so the event is never visible"),
    Check("no_offence_date", "events", "doubted", "offence_date is empty: rules by offence date ignore it"),
    Check(
        "offence_after_outcome",
        "events",
        "doubted",
        "offence_date is after outcome_date (the import refuses such rows)",
    ),
    Check(
        "unknown_offence_code",
        "events",
        "doubted",
        "offence_code is not in the reference data: no category, and no OGRS3 weight "
        "(a person whose current offence has none is not scored)",
    ),
    Check(
        "duplicate_person",
        "people",
        "doubted",
        "source_system and source_id appear more than once (each copy is analysed as a person with all their events)",
    ),
    Check("no_date_of_birth", "people", "doubted", "date_of_birth is empty: no age, and no OGRS3 score"),
)


@dataclass(frozen=True)
class Finding:
    check: Check
    rows: int
    examples: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.examples)
        return (
            f"{self.check.file}: {self.rows:,} row(s) {self.check.effect}: {self.check.text}"
            f" (for example {shown})"
        )


@dataclass
class ExtractReport:
    people_rows: int
    event_rows: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings

    def lines(self) -> list[str]:
        if self.clean:
            return [
                f"Extract checked: {self.people_rows:,} people and {self.event_rows:,} events, no problems"
            ]
        return [
            f"Extract checked: {self.people_rows:,} people and {self.event_rows:,} events; "
            f"{len(self.findings)} problem(s):",
            *(f"  {finding}" for finding in self.findings),
        ]


def _key(table: ir.Table) -> ir.StringValue:
    return table.source_system.cast("string").concat(":", table.source_id.cast("string"))


def check_extract(
    backend: Any, *, people_raw: ir.Table, events_raw: ir.Table, linked: ir.Table, reference: ir.Table
) -> ExtractReport:
    """Count every row each check finds in the raw files (`linked` is the events joined to people,
    `reference` the offence codes), with a few examples of each named by record id."""
    codes = reference.select(_code=reference.offence_code)
    ev = events_raw.left_join(codes, events_raw.offence_code.cast("string") == codes._code)
    offence = ev.offence_date.cast("date")
    outcome = ev.outcome_date.cast("date")
    conditions: dict[str, ir.BooleanValue] = {
        "unknown_event_type": ev.event_type.isnull() | ~ev.event_type.cast("string").isin(list(EVENT_TYPES)),
        "no_outcome_date": outcome.isnull(),
        "no_offence_date": offence.isnull(),
        "offence_after_outcome": (offence > outcome).fill_null(False),
        "unknown_offence_code": ev.offence_code.notnull() & ev._code.isnull(),
    }
    counted = backend.to_pandas(
        ev.aggregate(
            _rows=ev.count(), **{name: ibis.ifelse(cond, 1, 0).sum() for name, cond in conditions.items()}
        )
    ).iloc[0]
    linked_keys = linked.select(_lk=_key(linked))
    keyed_raw = events_raw.mutate(k=_key(events_raw))
    unlinked = keyed_raw.filter(~keyed_raw.k.isin(linked_keys._lk))
    people_keys = people_raw.group_by(["source_system", "source_id"]).aggregate(_n=people_raw.count())
    people_counts = backend.to_pandas(
        people_raw.aggregate(
            _rows=people_raw.count(),
            no_date_of_birth=ibis.ifelse(people_raw.date_of_birth.isnull(), 1, 0).sum(),
        )
    ).iloc[0]
    duplicates = int(
        backend.to_pandas(people_keys.filter(people_keys._n > 1).aggregate(n=(ibis._._n - 1).sum()))["n"]
        .fillna(0)
        .iloc[0]
    )
    event_rows = int(counted["_rows"])
    rows = {name: int(counted[name] or 0) for name in conditions}
    rows["person_not_found"] = int(backend.to_pandas(unlinked.aggregate(n=unlinked.count()))["n"].iloc[0])
    rows["no_date_of_birth"] = int(people_counts["no_date_of_birth"] or 0)
    rows["duplicate_person"] = duplicates

    def examples(name: str) -> tuple[str, ...]:
        if name in conditions:
            picked = ev.filter(conditions[name])
            shown = picked.select(k=_key(picked), v=_shown_value(picked, name)).order_by("k").limit(EXAMPLES)
        elif name == "person_not_found":
            shown = unlinked.select("k", v=ibis.literal("")).order_by("k").limit(EXAMPLES)
        elif name == "no_date_of_birth":
            picked = people_raw.filter(people_raw.date_of_birth.isnull())
            shown = picked.select(k=_key(picked), v=ibis.literal("")).order_by("k").limit(EXAMPLES)
        else:
            dup = people_keys.filter(people_keys._n > 1)
            shown = dup.select(k=_key(dup), v=ibis.literal("")).order_by("k").limit(EXAMPLES)
        frame = backend.to_pandas(shown)
        return tuple(f"{k} ({v})" if v else str(k) for k, v in zip(frame["k"], frame["v"], strict=True))

    findings = [
        Finding(check, rows[check.name], examples(check.name)) for check in CHECKS if rows[check.name]
    ]
    return ExtractReport(int(people_counts["_rows"]), event_rows, findings)


def _shown_value(table: ir.Table, name: str) -> ir.StringValue:
    if name == "unknown_event_type":
        return table.event_type.cast("string").fill_null("empty")
    if name == "unknown_offence_code":
        return table.offence_code.cast("string")
    if name == "offence_after_outcome":
        return table.offence_date.cast("string").concat(" > ", table.outcome_date.cast("string"))
    return ibis.literal("")
