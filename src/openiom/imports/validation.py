"""Whole-file validation, column at a time, so a million rows validate in seconds.

Nothing here touches the database: lookups the rules need (known offence codes, people already
loaded) are passed in. The result is either a clean frame ready to load or a list of errors naming
each row and field.
"""

from __future__ import annotations

import codecs
import gzip
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.utils import timezone

from openiom.imports.schema import (
    DISPOSALS_BY_EVENT,
    EVENT_COLUMNS,
    PEOPLE_COLUMNS,
    Column,
)
from openiom.people.identifiers import PNC_REGEX, pnc_check_characters
from openiom.vocabulary import ARREST, CHARGE

EARLIEST_DATE = pd.Timestamp("1900-01-01")
TRUE_VALUES = {"true", "1", "y", "yes", "t"}
FALSE_VALUES = {"false", "0", "n", "no", "f", ""}


@dataclass(frozen=True, order=True)
class RowError:
    row: int  # 1-based data row, header not counted
    field: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return f"file, field {self.field}: {self.message}"
        return f"row {self.row}, field {self.field}: {self.message}"


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong format, missing columns)."""


# Bytes that start a UTF-16 file (Excel's "Unicode text" writes the first).
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SNIFF_BYTES = 4096


def _open_bytes(path: Path) -> BinaryIO:
    if path.name.lower().endswith(".gz"):
        return cast(BinaryIO, gzip.GzipFile(path, "rb"))
    return path.open("rb")


def _looks_like_utf16(head: bytes) -> bool:
    """A BOM, or NUL in every other byte: ASCII text written as UTF-16 with no BOM."""
    if head.startswith(UTF16_BOMS):
        return True
    pairs = len(head) // 2
    if pairs < 8:
        return False
    return head[0::2].count(0) > pairs * 0.4 or head[1::2].count(0) > pairs * 0.4


def _not_utf8(path: Path, encoding: str, line: int | None = None) -> ImportFileError:
    where = f" (first at line {line})" if line is not None else ""
    return ImportFileError(
        f"{path.name}: the file is not UTF-8: it looks like {encoding}{where}; save it as UTF-8 "
        "(in Excel: Save As, 'CSV UTF-8')"
    )


def _first_bad_utf8_line(path: Path) -> int | None:
    """The 1-based line of the first byte that is not UTF-8; only called once a read has failed."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with _open_bytes(path) as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + chunk.count(b"\n", 0, exc.start)
            line += chunk.count(b"\n")
    return None


def _refuse_duplicate_columns(path: Path, names: list[str]) -> None:
    counts = Counter(names)
    repeated = [f"column {name!r} appears {n} times in the header" for name, n in counts.items() if n > 1]
    if repeated:
        raise ImportFileError(f"{path.name}: {'; '.join(repeated)}; keep one of each")


def _read_csv(path: Path) -> pa.Table:
    with _open_bytes(path) as handle:
        head = handle.read(SNIFF_BYTES)
    # Checked before Arrow reads, whose errors for these ("Expected 11 columns, got 1",
    # "Invalid UTF8 payload") say nothing a user can act on.
    if _looks_like_utf16(head):
        raise _not_utf8(path, "UTF-16")
    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                column_types={},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                auto_dict_encode=False,
                include_missing_columns=False,
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
        )
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        _refuse_if_not_utf8(path)
        raise ImportFileError(f"{path.name}: not a readable CSV file ({exc})") from exc


def _refuse_if_not_utf8(path: Path) -> None:
    line = _first_bad_utf8_line(path)
    if line is not None:
        # Latin-1 is a guess, but the one that matters: Windows-1252 files from Excel and older
        # case systems are the usual source of bytes that are not UTF-8.
        raise _not_utf8(path, "Latin-1 (Windows-1252)", line)


def _read_parquet(path: Path) -> pa.Table:
    try:
        _refuse_duplicate_columns(path, pq.read_schema(path).names)
        return pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFileError(f"{path.name}: not a readable Parquet file ({exc})") from exc


def read_table(path: Path) -> pd.DataFrame:
    """Read CSV or Parquet into a frame of strings ('' for missing), keeping every row."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        table = _read_parquet(path)
    elif name.endswith(".csv") or name.endswith(".csv.gz"):
        table = _read_csv(path)
    else:
        raise ImportFileError(f"{path.name}: the file name must end in .csv, .csv.gz or .parquet")
    _refuse_duplicate_columns(path, table.column_names)
    # Everything becomes trimmed text ('' for missing) in Arrow, which is vectorised and fast;
    # the rules then parse what they need.
    columns = {}
    for column_name in table.column_names:
        column = table.column(column_name)
        if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
            column = column.cast(pa.date32())
        try:
            text = pc.utf8_trim_whitespace(column.cast(pa.string()).fill_null(""))
        except pa.ArrowInvalid as exc:
            # Arrow reads a CSV column that is not UTF-8 as binary, and Parquet binary columns
            # can hold any bytes; the cast to text is where either shows.
            if not name.endswith(".parquet"):
                _refuse_if_not_utf8(path)
            raise ImportFileError(
                f"{path.name}: column {column_name!r} is not UTF-8 text; write it as UTF-8 strings"
            ) from exc
        columns[column_name] = pd.Series(pd.arrays.ArrowStringArray(text.combine_chunks()), name=column_name)
    return pd.DataFrame(columns)


class _Collector:
    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.errors: list[RowError] = []
        self.bad = np.zeros(len(frame), dtype=bool)

    def add(
        self, mask: np.ndarray | pd.Series, field: str, message: str | None = None, *, template: str = ""
    ) -> None:
        """Record an error for every row where mask is true; template may use {value}."""
        mask_array = np.asarray(mask, dtype=bool)
        if not mask_array.any():
            return
        self.bad |= mask_array
        values = self.frame[field].to_numpy() if field in self.frame else None
        for index in np.flatnonzero(mask_array):
            text = (
                message
                if message is not None
                else template.format(value=repr(values[index]) if values is not None else "")
            )
            self.errors.append(RowError(int(index) + 1, field, text))


def _check_columns(frame: pd.DataFrame, columns: tuple[Column, ...]) -> list[RowError]:
    known = {c.name for c in columns}
    errors = [
        RowError(0, name, "unknown column (check the spelling against docs/data-formats.md)")
        for name in frame.columns
        if name not in known
    ]
    errors += [
        RowError(0, c.name, "required column is missing")
        for c in columns
        if c.required and c.name not in frame.columns
    ]
    return errors


def _parse_dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series.where(series != "", None), format="%Y-%m-%d", errors="coerce")


def _pnc_valid(series: pd.Series) -> np.ndarray:
    parts = series.str.upper().str.extract(PNC_REGEX)
    ok = parts[0].notna().to_numpy()
    result = np.zeros(len(series), dtype=bool)
    if ok.any():
        year2 = parts.loc[ok, 0].astype(np.int64).to_numpy() % 100
        serial = parts.loc[ok, 1].astype(np.int64).to_numpy()
        expected = pnc_check_characters(year2, serial)
        result[ok] = expected == parts.loc[ok, 2].to_numpy()
    return result


def _normalise_pnc(series: pd.Series) -> pd.Series:
    parts = series.str.upper().str.extract(PNC_REGEX)
    year = parts[0].where(
        parts[0].str.len() == 4, np.where(parts[0].astype(float) < 40, "20", "19") + parts[0]
    )
    out = year + "/" + parts[1].str.zfill(7) + parts[2]
    return out.where(series != "", "")


def _validate_columns(
    frame: pd.DataFrame, columns: tuple[Column, ...], collector: _Collector
) -> dict[str, pd.Series]:
    """Per-column checks; returns parsed date columns."""
    dates: dict[str, pd.Series] = {}
    for column in columns:
        if column.name not in frame.columns:
            continue
        values = frame[column.name]
        present = values != ""
        # PostgreSQL cannot store NUL in text and SQLite would keep it silently; refuse it on both.
        collector.add(
            values.str.contains("\x00", regex=False).to_numpy(dtype=bool),
            column.name,
            "contains a NUL character (byte 0); remove it",
        )
        if column.required:
            collector.add(~present, column.name, "a value is required")
        if column.max_length is not None:
            collector.add(
                present & (values.str.len() > column.max_length),
                column.name,
                f"is longer than {column.max_length} characters",
            )
        if column.type == "date":
            parsed = _parse_dates(values)
            collector.add(
                present & parsed.isna(), column.name, template="{value} is not a valid date (YYYY-MM-DD)"
            )
            collector.add(parsed.notna() & (parsed < EARLIEST_DATE), column.name, "is before 1900-01-01")
            collector.add(
                parsed.notna() & (parsed > pd.Timestamp(timezone.localdate())),
                column.name,
                "is in the future",
            )
            dates[column.name] = parsed
        elif column.type == "code" and column.codes:
            collector.add(
                present & ~values.isin(column.codes),
                column.name,
                template="{value} is not one of " + ", ".join(sorted(column.codes)),
            )
        elif column.type == "integer":
            numbers = pd.to_numeric(values.where(present, None), errors="coerce")
            collector.add(
                present & (numbers.isna() | (numbers % 1 != 0)),
                column.name,
                template="{value} is not a whole number",
            )
        elif column.type == "boolean":
            collector.add(
                ~values.str.lower().isin(TRUE_VALUES | FALSE_VALUES),
                column.name,
                template="{value} is not true or false",
            )
        elif column.type == "pnc":
            collector.add(
                present & ~_pnc_valid(values),
                column.name,
                template="{value} is not a valid PNC ID (YYYY/NNNNNNNC with a correct check character)",
            )
        elif column.type == "crn":
            collector.add(
                present & ~values.str.upper().str.fullmatch(r"[A-Z]\d{6}"),
                column.name,
                template="{value} is not a probation case reference (one letter and six digits)",
            )
    return dates


def _duplicates(frame: pd.DataFrame, collector: _Collector) -> None:
    keys = (frame["source_system"] + "\x1f" + frame["source_id"]).to_numpy()
    codes, uniques = pd.factorize(keys)
    if len(uniques) == len(keys):
        return
    _, first_index = np.unique(codes, return_index=True)
    first_row = first_index[codes]
    for index in np.flatnonzero(first_row != np.arange(len(keys))):
        collector.bad[index] = True
        collector.errors.append(
            RowError(
                int(index) + 1,
                "source_id",
                f"{frame['source_id'].iat[index]!r} appears more than once in the file (first at row {first_row[index] + 1})",
            )
        )


@dataclass
class ValidationResult:
    frame: pd.DataFrame
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_people(frame: pd.DataFrame) -> ValidationResult:
    errors = _check_columns(frame, PEOPLE_COLUMNS)
    if errors:
        return ValidationResult(frame, errors)
    frame = _with_optional(frame, PEOPLE_COLUMNS)
    collector = _Collector(frame)
    dates = _validate_columns(frame, PEOPLE_COLUMNS, collector)
    _duplicates(frame, collector)
    clean = frame.copy()
    if not collector.errors:
        clean["pnc_id"] = _normalise_pnc(frame["pnc_id"])
        clean["probation_crn"] = frame["probation_crn"].str.upper()
        clean["date_of_birth"] = dates["date_of_birth"].dt.date
    return ValidationResult(clean, sorted(collector.errors))


def validate_events(frame: pd.DataFrame, *, offence_codes: Iterable[str]) -> ValidationResult:
    """Field and cross-field rules for offending events; person links are checked by the loader."""
    errors = _check_columns(frame, EVENT_COLUMNS)
    if errors:
        return ValidationResult(frame, errors)
    frame = _with_optional(frame, EVENT_COLUMNS)
    collector = _Collector(frame)
    dates = _validate_columns(frame, EVENT_COLUMNS, collector)
    _duplicates(frame, collector)

    codes = frozenset(offence_codes)
    code_present = frame["offence_code"] != ""
    collector.add(
        code_present & ~frame["offence_code"].isin(codes),
        "offence_code",
        template="{value} is not in the active reference data; load a version that includes it",
    )
    no_person = (frame["person_source_id"] == "") & (frame["pnc_id"] == "")
    collector.add(no_person, "person_source_id", "give person_source_id or pnc_id to say whose event this is")

    offence, outcome = dates["offence_date"], dates["outcome_date"]
    collector.add((outcome < offence).fillna(False).to_numpy(), "outcome_date", "is before offence_date")

    event_type, disposal = frame["event_type"], frame["disposal"]
    needs_disposal = event_type.isin(DISPOSALS_BY_EVENT.keys())
    collector.add(
        needs_disposal & (disposal.isin(["", "none"])), "disposal", template="is required for this event type"
    )
    for kind, allowed in DISPOSALS_BY_EVENT.items():
        wrong = (event_type == kind) & ~disposal.isin(allowed | {"", "none"})
        collector.add(wrong, "disposal", template="{value} is not a disposal for a " + kind.replace("_", " "))
    collector.add(
        event_type.isin([ARREST, CHARGE]) & ~disposal.isin(["", "none"]),
        "disposal",
        template="{value}: arrests and charges have no disposal (leave it empty)",
    )

    custody = disposal == "custody"
    start, release = dates["custody_start"], dates["release_date"]
    collector.add(
        custody & (frame["custody_start"] == ""), "custody_start", "is required when disposal is custody"
    )
    collector.add(
        custody & (frame["sentence_days"] == ""), "sentence_days", "is required when disposal is custody"
    )
    not_custody = ~custody & ((frame["custody_start"] != "") | (frame["release_date"] != ""))
    collector.add(not_custody, "custody_start", "custody dates are only allowed when disposal is custody")
    collector.add((start < offence).fillna(False).to_numpy(), "custody_start", "is before offence_date")
    collector.add((release < start).fillna(False).to_numpy(), "release_date", "is before custody_start")
    days = pd.to_numeric(frame["sentence_days"].where(frame["sentence_days"] != "", None), errors="coerce")
    collector.add(
        ((days < 1) | (days > 36500)).fillna(False).to_numpy(),
        "sentence_days",
        template="{value} must be between 1 and 36500",
    )

    clean = frame.copy()
    if not collector.errors:
        clean["pnc_id"] = _normalise_pnc(frame["pnc_id"])
        for name in ("offence_date", "outcome_date", "custody_start", "release_date"):
            clean[name] = dates[name].dt.date.where(dates[name].notna(), None)
        clean["disposal"] = disposal.where(~disposal.isin(["", "none"]), None)
        clean["sentence_days"] = days.astype("Int64")
        clean["domestic_abuse"] = frame["domestic_abuse"].str.lower().isin(TRUE_VALUES)
    return ValidationResult(clean, sorted(collector.errors))


def _with_optional(frame: pd.DataFrame, columns: tuple[Column, ...]) -> pd.DataFrame:
    missing = {c.name: "" for c in columns if c.name not in frame.columns}
    return frame.assign(**missing) if missing else frame
