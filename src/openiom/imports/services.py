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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, transaction
from django.utils import timezone

from openiom.audit.actions import IMPORT_ACTIONS
from openiom.audit.services import audit_record
from openiom.identity.services import RunSummary, link_import
from openiom.imports.validation import (
    RowError,
    ValidationResult,
    read_table,
    validate_events,
    validate_people,
)
from openiom.reference.selectors import active_offence_lookup

if TYPE_CHECKING:
    from openiom.accounts.models import User

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
    linkage: RunSummary | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _noop(_: str) -> None:
    return None


def people_import(*, path: Path, user: User | None = None, progress: Progress = _noop) -> ImportResult:
    progress("reading")
    frame = read_table(path)
    progress("validating")
    result = validate_people(frame)
    if not result.ok:
        return ImportResult("people", len(frame), errors=result.errors)
    rows = result.frame[PERSON_FIELDS]
    started = timezone.now()
    # One transaction with the linkage, so a failed linkage leaves no record unlinked behind it.
    with transaction.atomic():
        imported = _merge(
            kind="people",
            table="person",
            fields=PERSON_FIELDS,
            rows=rows,
            path=path,
            user=user,
            progress=progress,
        )
        imported.linkage = link_import(source_systems=set(rows["source_system"]), since=started, user=user)
    return imported


def events_import(*, path: Path, user: User | None = None, progress: Progress = _noop) -> ImportResult:
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
            # Linked records are one person, so a PNC ID on several of them is not ambiguous.
            cursor.execute(
                "SELECT DISTINCT p.pnc_id, COALESCE(l.person_id, p.id) FROM person p "
                "LEFT JOIN identity_person_link l ON l.record_id = p.id WHERE p.pnc_id IS NOT NULL"
            )
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


def _copy_rows(table: str, fields: list[str], rows: pd.DataFrame) -> None:
    """Bulk-insert rows: COPY on PostgreSQL (the fastest way in), executemany on SQLite."""
    columns = ", ".join(fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Arrow's CSV writer quotes every string and leaves nulls unquoted and empty, which is
            # exactly how COPY's CSV format tells '' from NULL.
            buffer = io.BytesIO()
            pacsv.write_csv(
                pa.Table.from_pandas(rows[fields], preserve_index=False),
                buffer,
                pacsv.WriteOptions(include_header=False, quoting_style="needed"),
            )
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(buffer.getbuffer())
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                list(rows[fields].itertuples(index=False, name=None)),
            )


def _prepare(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.astype(object)
    for column in out.columns:
        if column in NULLABLE_TEXT:
            out[column] = out[column].where(out[column] != "", None)
    return out.where(out.notna(), None)


def _existing_keys(table: str, rows: pd.DataFrame) -> np.ndarray:
    """Which rows of the file are already in the table (by source_system, source_id)."""
    exists = np.zeros(len(rows), dtype=bool)
    with connection.cursor() as cursor:
        for system in rows["source_system"].unique():
            cursor.execute(f"SELECT source_id FROM {table} WHERE source_system = %s", [system])
            known = {r[0] for r in cursor.fetchall()}
            if known:
                in_system = (rows["source_system"] == system).to_numpy()
                exists |= in_system & rows["source_id"].isin(known).to_numpy()
    return exists


def _merge(
    *,
    kind: str,
    table: str,
    fields: list[str],
    rows: pd.DataFrame,
    path: Path,
    user: User | None,
    progress: Progress,
) -> ImportResult:
    """New rows are copied straight in; rows already present are staged and updated only if changed."""
    rows = _prepare(rows)
    data_fields = [f for f in fields if f not in ("source_system", "source_id")]
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One import at a time per table, so the existence check below stays true; reads go on.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        progress("comparing")
        exists = _existing_keys(table, rows)
        progress("writing")
        stamp = connection.ops.adapt_datetimefield_value(now)
        new_rows = rows.loc[~exists].assign(created_at=stamp, updated_at=stamp)
        _copy_rows(table, [*fields, "created_at", "updated_at"], new_rows)
        updated = 0
        if exists.any():
            staging = f"import_{table}"
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {staging}")
                # Same column types as the target, so the comparison below is exact.
                cursor.execute(
                    f"CREATE TEMP TABLE {staging} AS SELECT {', '.join(fields)} FROM {table} WHERE 1 = 0"
                )
            _copy_rows(staging, fields, rows.loc[exists])
            with connection.cursor() as cursor:
                assignments = ", ".join(f"{f} = s.{f}" for f in data_fields)
                changed = " OR ".join(f"{table}.{f} {distinct} s.{f}" for f in data_fields)
                cursor.execute(
                    f"UPDATE {table} SET {assignments}, updated_at = %s FROM {staging} s "
                    f"WHERE {table}.source_system = s.source_system AND {table}.source_id = s.source_id "
                    f"AND ({changed})",
                    [now],
                )
                updated = cursor.rowcount
                cursor.execute(f"DROP TABLE {staging}")
        inserted = len(new_rows)
        audit_record(
            user=user,
            action=IMPORT_ACTIONS[kind],
            object_type=table,
            detail={"file": path.name, "rows": len(rows), "inserted": inserted, "updated": updated},
        )
    return ImportResult(
        kind, len(rows), inserted=inserted, updated=updated, unchanged=len(rows) - inserted - updated
    )
