"""The documented import formats (docs/data-formats.md) as data, shared by validation and loading."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from openiom import vocabulary

ColumnType = Literal["text", "date", "code", "integer", "boolean", "pnc", "crn"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "text"
    required: bool = False
    max_length: int | None = None
    codes: frozenset[str] = field(default_factory=frozenset)


SEXES = frozenset({"M", "F", "X"})
ETHNICITIES = frozenset(
    {
        "A1",
        "A2",
        "A3",
        "A4",
        "A9",
        "B1",
        "B2",
        "B9",
        "M1",
        "M2",
        "M3",
        "M9",
        "O2",
        "O9",
        "W1",
        "W2",
        "W3",
        "W9",
        "NS",
    }
)
EVENT_TYPES = frozenset(vocabulary.EVENT_TYPES)
COURT_DISPOSALS = frozenset(vocabulary.COURT_DISPOSALS)
CAUTION_DISPOSALS = frozenset(vocabulary.CAUTION_DISPOSALS)
OUT_OF_COURT_DISPOSALS = frozenset(vocabulary.OUT_OF_COURT_DISPOSALS)
DISPOSALS = frozenset(vocabulary.DISPOSALS)
DISPOSALS_BY_EVENT: dict[str, frozenset[str]] = {
    event: frozenset(disposals) for event, disposals in vocabulary.DISPOSALS_BY_EVENT.items()
}

PEOPLE_COLUMNS: tuple[Column, ...] = (
    Column("source_system", required=True, max_length=40),
    Column("source_id", required=True, max_length=64),
    Column("pnc_id", "pnc"),
    Column("probation_crn", "crn"),
    Column("local_police_id", max_length=64),
    Column("family_name", required=True, max_length=100),
    Column("given_names", required=True, max_length=200),
    Column("aliases", max_length=2000),
    Column("date_of_birth", "date", required=True),
    Column("sex", "code", required=True, codes=SEXES),
    Column("ethnicity", "code", codes=ETHNICITIES),
)

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("source_system", required=True, max_length=40),
    Column("source_id", required=True, max_length=64),
    Column("person_source_id", max_length=64),
    Column("pnc_id", "pnc"),
    Column("event_type", "code", required=True, codes=EVENT_TYPES),
    Column("offence_date", "date", required=True),
    Column("outcome_date", "date", required=True),
    # Allowed codes come from the active reference data at import time.
    Column("offence_code", "code", required=True, max_length=20),
    Column("disposal", "code", codes=DISPOSALS | {"none"}),
    Column("custody_start", "date"),
    Column("release_date", "date"),
    Column("sentence_days", "integer"),
    Column("victim_ref", max_length=64),
    Column("domestic_abuse", "boolean"),
    Column("force_code", max_length=10),
)

# Optional columns a file may leave out altogether.
OPTIONAL_PEOPLE = {c.name for c in PEOPLE_COLUMNS if not c.required}
OPTIONAL_EVENTS = {c.name for c in EVENT_COLUMNS if not c.required}
