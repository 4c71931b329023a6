"""`iom training import FILE`: training completions from a CSV, checked whole-file first.

Columns: username, course (a catalogue code), completed_on (YYYY-MM-DD), evidence (optional). Every
problem names its row (the header is row 1) and field; if there is any, nothing is written.
A completion already recorded (same worker, course and date) is left as it is, so running the same
file again changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.utils import timezone

from openiom.access.policy import has_permission
from openiom.workforce import services
from openiom.workforce.selectors import WORKER_ACTION, course_by_code, users_by_username
from openiom.workforce.services import Completion

COLUMNS = ("username", "course", "completed_on", "evidence")
REQUIRED = ("username", "course", "completed_on")


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.message}"


@dataclass
class ImportResult:
    rows: int = 0
    inserted: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def check(path: Path, today: date | None = None) -> tuple[list[Completion], list[RowError]]:
    """The file's completions, and every problem found (empty if the file may be written)."""
    today = today or timezone.localdate()
    try:
        header, rows = _read(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [], [RowError(0, "file", f"cannot be read as UTF-8 CSV ({exc})")]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    errors = [RowError(1, c, "required column is missing") for c in missing]
    errors += [RowError(1, c, f"unknown column (expected {', '.join(COLUMNS)})") for c in unknown]
    if errors:
        return [], errors
    catalogue = course_by_code()
    usernames = {r.get("username", "").strip() for r in rows}
    users = users_by_username(usernames)
    completions: list[Completion] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        values = {k: (row.get(k) or "").strip() for k in COLUMNS}
        row_errors: list[RowError] = []
        worker: Any = users.get(values["username"])
        if not values["username"]:
            row_errors.append(RowError(number, "username", "is empty"))
        elif worker is None or not worker.is_active:
            row_errors.append(RowError(number, "username", f"no active user {values['username']!r}"))
        elif not has_permission(worker, WORKER_ACTION):
            row_errors.append(
                RowError(number, "username", f"{values['username']!r} keeps no training record")
            )
        course = catalogue.get(values["course"])
        if course is None:
            row_errors.append(RowError(number, "course", f"no course {values['course']!r} in the catalogue"))
        completed_on: date | None = None
        try:
            completed_on = date.fromisoformat(values["completed_on"])
        except ValueError:
            row_errors.append(
                RowError(number, "completed_on", f"{values['completed_on']!r} is not a date (YYYY-MM-DD)")
            )
        key = (values["username"], values["course"], values["completed_on"])
        if key in seen:
            row_errors.append(RowError(number, "completed_on", f"repeats row {seen[key]}"))
        seen.setdefault(key, number)
        if not row_errors and course is not None and completed_on is not None:
            completion = Completion(worker, course, completed_on, values["evidence"])
            problems = services.completion_problems(completion, today)
            row_errors += [RowError(number, name, message) for name, message in problems.items()]
            if not problems:
                completions.append(completion)
        errors += row_errors
    return completions, errors


def training_import(*, path: Path, user: Any) -> ImportResult:
    completions, errors = check(path)
    result = ImportResult(rows=len(completions) + len({e.row for e in errors}), errors=errors)
    if errors:
        return result
    result.inserted, result.unchanged = services.training_records_write(
        user=user, completions=completions, file=path.name
    )
    return result
