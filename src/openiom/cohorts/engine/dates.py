"""Calendar arithmetic for rule windows, done once in Python so every engine sees the same integers.

Rules compare integer epoch days (days since 1970-01-01). A window "the last 12 months" at as-of
date A is every day d with  A - 12 months < d <= A, i.e. [A - 12 months + 1 day, A], both ends
inclusive. Subtracting months clamps to the end of a shorter month (2024-02-29 - 12 months =
2023-02-28).
"""

from __future__ import annotations

import calendar
import datetime as dt

EPOCH = dt.date(1970, 1, 1)


def epoch_day(day: dt.date) -> int:
    return (day - EPOCH).days


def from_epoch_day(value: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(value))


def minus_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plus_months(day: dt.date, months: int) -> dt.date:
    return minus_months(day, -months)


def window_start(as_of: dt.date, *, days: int = 0, months: int = 0, years: int = 0) -> dt.date:
    """First day inside a look-back window that ends on (and includes) `as_of`."""
    if days:
        return as_of - dt.timedelta(days=days - 1)
    return minus_months(as_of, months + 12 * years) + dt.timedelta(days=1)
