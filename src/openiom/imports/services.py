"""Loading validated files into the application database: all or nothing, idempotent.

Rows are staged in a temporary table (COPY on PostgreSQL, executemany on SQLite), then merged with
one INSERT ... ON CONFLICT DO UPDATE that only touches rows whose content changed, so re-importing
a file changes nothing and an edited row is updated in place.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from openiom.audit.services import audit_record
from openiom.imports.validation import (
    RowError,
    ValidationResult,
    read_table,
    validate_events,
    validate_people,
)
from openiom.reference.selectors import active_offence_lookup

Progress = Callable[[str], None]

PERSON_FIELDS = [
    "source_system",
    "source_id",
    "pnc_id",
    "probation_crn",
    "local_police_id",
    "family_name",
    "given_names",
    "aliases",
    "date_of_birth",
    "sex",
    "ethnicity",
]
EVENT_FIELDS = [
    "source_system",
    "source_id",
    "person_id",
    "event_type",
    "offence_date",
    "outcome_date",
    "offence_code",
    "disposal",
    "custody_start",
    "release_date",
    "sentence_days",
    "victim_ref",
    "domestic_abuse",
    "force_code",
]
# Text columns where an empty cell means "not known" and is stored as NULL.
NULLABLE_TEXT = {
    "pnc_id",
    "probation_crn",
    "local_police_id",
    "ethnicity",
    "victim_ref",
    "force_code",
    "disposal",
}


@dataclass
class ImportResult:
    kind: str
    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _noop(_: str) -> None:
    return None


def people_import(*, path: Path, user: Any = None, progress: Progress = _noop) -> ImportResult:
    progress("reading")
    frame = read_table(path)
    progress("validating")
    result = validate_people(frame)
    if not result.ok:
        return ImportResult("people", len(frame), errors=result.errors)
    rows = result.frame[PERSON_FIELDS]
    return _merge(
        kind="people",
        table="person",
        fields=PERSON_FIELDS,
        rows=rows,
        path=path,
        user=user,
        progress=progress,
    )


def events_import(*, path: Path, user: Any = None, progress: Progress = _noop) -> ImportResult:
    progress("reading")
    frame = read_table(path)
    progress("validating")
    result = validate_events(frame, offence_codes=active_offence_lookup().keys())
    if {e.field for e in result.errors if e.row == 0}:
        return ImportResult("events", len(frame), errors=result.errors)
    progress("linking people")
    linked = _link_people(result)
    # Report unknown people alongside field errors, except where the identifier itself was malformed.
    malformed = {(e.row, e.field) for e in result.errors}
    errors = result.errors + [e for e in linked.errors if (e.row, e.field) not in malformed]
    if errors:
        return ImportResult("events", len(frame), errors=sorted(errors))
    rows = linked.frame[EVENT_FIELDS]
    return _merge(
        kind="events",
        table="offending_event",
        fields=EVENT_FIELDS,
        rows=rows,
        path=path,
        user=user,
        progress=progress,
    )


def _link_people(result: ValidationResult) -> ValidationResult:
    """Resolve each event's person by (source_system, person_source_id), else by a unique PNC ID."""
    frame = result.frame
    person_id = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    by_source = (frame["person_source_id"] != "").to_numpy()
    ambiguous = pd.Series(0, index=frame.index)
    with connection.cursor() as cursor:
        for system in frame.loc[by_source, "source_system"].unique():
            cursor.execute("SELECT source_id, id FROM person WHERE source_system = %s", [system])
            mapping = dict(cursor.fetchall())
            rows = by_source & (frame["source_system"] == system).to_numpy()
            person_id[rows] = frame.loc[rows, "person_source_id"].map(mapping).astype("Int64")
        if (~by_source).any():
            cursor.execute("SELECT pnc_id, id FROM person WHERE pnc_id IS NOT NULL")
            known = pd.DataFrame(cursor.fetchall(), columns=["pnc_id", "id"])
            counts = known.groupby("pnc_id")["id"].agg(["min", "count"])
            pnc = frame.loc[~by_source, "pnc_id"]
            person_id[~by_source] = pnc.map(counts["min"].where(counts["count"] == 1)).astype("Int64")
            ambiguous[~by_source] = pnc.map(counts["count"]).fillna(0).astype(int)
    errors: list[RowError] = []
    for index in np.flatnonzero(person_id.isna().to_numpy()):
        row = int(index) + 1
        if by_source[index]:
            errors.append(
                RowError(
                    row,
                    "person_source_id",
                    f"{frame['person_source_id'].iat[index]!r} is not a person in "
                    f"{frame['source_system'].iat[index]}; import the people file first",
                )
            )
        elif ambiguous.iat[index] > 1:
            errors.append(
                RowError(
                    row,
                    "pnc_id",
                    f"{frame['pnc_id'].iat[index]!r} matches "
                    f"{ambiguous.iat[index]} people; give person_source_id instead",
                )
            )
        else:
            errors.append(
                RowError(
                    row, "pnc_id", f"{frame['pnc_id'].iat[index]!r} is not the PNC ID of anyone imported"
                )
            )
    return ValidationResult(frame.assign(person_id=person_id), errors)


def _stage(table: str, fields: list[str], rows: pd.DataFrame) -> str:
    staging = f"import_{table}"
    quoted = ", ".join(fields)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        # LIKE copies the target's column types so comparisons in the merge are exact.
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TEMP TABLE {staging} AS SELECT {quoted} FROM {table} WITH NO DATA")
            buffer = io.StringIO()
            rows.to_csv(buffer, index=False, header=False, na_rep="\\N")
            raw = cursor.cursor  # psycopg cursor: COPY is the fastest way in
            with raw.copy(f"COPY {staging} ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
                copy.write(buffer.getvalue())
        else:
            cursor.execute(f"CREATE TEMP TABLE {staging} AS SELECT {quoted} FROM {table} WHERE 0")
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {staging} ({quoted}) VALUES ({placeholders})",
                rows.itertuples(index=False, name=None),
            )
    return staging


def _prepare(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.copy()
    for column in out.columns:
        if column in NULLABLE_TEXT:
            out[column] = out[column].where(out[column].notna() & (out[column] != ""), None)
    return out.astype(object).where(out.notna(), None)


def _merge(
    *, kind: str, table: str, fields: list[str], rows: pd.DataFrame, path: Path, user: Any, progress: Progress
) -> ImportResult:
    rows = _prepare(rows)
    data_fields = [f for f in fields if f not in ("source_system", "source_id")]
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = " OR ".join(f"t.{f} {distinct} s.{f}" for f in data_fields)
    now = timezone.now()
    with transaction.atomic():
        progress("staging")
        staging = _stage(table, fields, rows)
        with connection.cursor() as cursor:
            progress("comparing")
            cursor.execute(
                f"SELECT COUNT(*) FROM {staging} s LEFT JOIN {table} t "
                "ON t.source_system = s.source_system AND t.source_id = s.source_id WHERE t.id IS NULL"
            )
            inserted = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT COUNT(*) FROM {staging} s JOIN {table} t "
                f"ON t.source_system = s.source_system AND t.source_id = s.source_id WHERE {changed}"
            )
            updated = cursor.fetchone()[0]
            progress("writing")
            columns = ", ".join(fields)
            assignments = ", ".join(f"{f} = excluded.{f}" for f in data_fields)
            target_changed = " OR ".join(f"{table}.{f} {distinct} excluded.{f}" for f in data_fields)
            # "WHERE true" resolves SQLite's parsing ambiguity between INSERT ... SELECT and ON CONFLICT.
            cursor.execute(
                f"INSERT INTO {table} ({columns}, created_at, updated_at) "
                f"SELECT {columns}, %s, %s FROM {staging} WHERE true "
                f"ON CONFLICT (source_system, source_id) DO UPDATE SET {assignments}, updated_at = excluded.updated_at "
                f"WHERE {target_changed}",
                [now, now],
            )
            cursor.execute(f"DROP TABLE {staging}")
        audit_record(
            user=user,
            action=f"import.{kind}",
            object_type=table,
            detail={"file": path.name, "rows": len(rows), "inserted": inserted, "updated": updated},
        )
    return ImportResult(
        kind, len(rows), inserted=inserted, updated=updated, unchanged=len(rows) - inserted - updated
    )
