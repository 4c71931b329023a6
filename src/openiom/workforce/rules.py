"""The workforce's rules as pure functions of plain values: expiry arithmetic, which flags a case
has, and what is wrong with a course or a training record. No database."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

from openiom.vocabulary import CASE_FLAGS

EXPIRING_DAYS = 60
EARLIEST_COMPLETION = date(1990, 1, 1)
MAX_VALIDITY_MONTHS = 120
MIN_OVERRIDE_REASON = 20
MAX_EVIDENCE = 100


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it is shorter (31 Jan + 1 → 28/29 Feb)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry(completed_on: date, validity_months: int | None) -> date | None:
    """The last day a completion is in date: the day before the same date `validity_months` later.
    None when the course never expires."""
    if validity_months is None:
        return None
    return add_months(completed_on, validity_months) - timedelta(days=1)


def in_date(expires_on: date | None, on: date) -> bool:
    """A record is in date up to and including its expiry day."""
    return expires_on is None or on <= expires_on


def expiring_soon(expires_on: date | None, on: date, days: int = EXPIRING_DAYS) -> bool:
    """In date today, and out of date within `days` days: from today to today + days, both included."""
    return expires_on is not None and on <= expires_on <= on + timedelta(days=days)


def case_flags(*, domestic_abuse: bool, safeguarding_children: bool, safeguarding_adults: bool,
               mappa_level: int, gang: bool, weapons: bool) -> set[str]:  # fmt: skip
    """The CASE_FLAGS set on a case."""
    values = dict(
        zip(
            CASE_FLAGS,
            (domestic_abuse, safeguarding_children, safeguarding_adults, mappa_level > 0, gang, weapons),
            strict=True,
        )
    )
    return {flag for flag, on in values.items() if on}


def required_codes(
    *, flags: set[str], stream: str, courses: list[tuple[str, list[str], list[str]]]
) -> set[str]:
    """Codes of the courses (code, flags, streams) a case with these flags and stream needs."""
    return {code for code, needs_flags, streams in courses if flags & set(needs_flags) or stream in streams}


def course_problems(
    *, title: str, validity_months: Any, flags: list[str], streams: list[str], stream_codes: set[str]
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not title.strip():
        problems["title"] = _("Enter the course title")
    if validity_months is not None and not (1 <= int(validity_months) <= MAX_VALIDITY_MONTHS):
        problems["validity_months"] = _("Enter a validity between 1 and %(n)d months, or leave it blank") % {
            "n": MAX_VALIDITY_MONTHS
        }
    unknown_flags = sorted(set(flags) - set(CASE_FLAGS))
    if unknown_flags:
        problems["flags"] = _("Not a case flag: %(codes)s") % {"codes": ", ".join(unknown_flags)}
    unknown_streams = sorted(set(streams) - stream_codes)
    if unknown_streams:
        problems["streams"] = _("Not a cohort stream: %(codes)s") % {"codes": ", ".join(unknown_streams)}
    return problems


def completion_problem(completed_on: date, today: date) -> str:
    """What is wrong with a completion date, or ''."""
    if completed_on > today:
        return _("The completion date cannot be in the future")
    if completed_on < EARLIEST_COMPLETION:
        return _("The completion date must be on or after %(day)s") % {"day": EARLIEST_COMPLETION.isoformat()}
    return ""


def override_problem(reason: str) -> str:
    if len(reason.strip()) < MIN_OVERRIDE_REASON:
        return _("Give the reason for allocating without the training (at least %(n)d characters)") % {
            "n": MIN_OVERRIDE_REASON
        }
    return ""


class WorkforceError(ValueError):
    """Bad input: `errors` maps each form field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
