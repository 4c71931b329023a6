"""Formatting for pages that show many rows."""

from __future__ import annotations

from datetime import date

from django.db.models import Choices
from django.utils.dates import MONTHS_3


def choice_labels(choices: type[Choices]) -> dict[str, str]:
    """Value -> translated label, looked up once per page. `get_FOO_display` rebuilds the field's
    choices on every call, which on a long table was a measurable share of the response time."""
    return {value: str(text) for value, text in choices.choices}


class DayFormat:
    """`date_format(day, "j M Y")` with the month names translated once rather than once per row:
    on a 50-row page, per-call formatting was a measurable share of the response time."""

    def __init__(self) -> None:
        # As Django's "M": the translated three-letter month, title-cased.
        self.months = {n: str(name).title() for n, name in MONTHS_3.items()}

    def __call__(self, day: date | None, empty: str = "") -> str:
        return f"{day.day} {self.months[day.month]} {day.year}" if day else empty
