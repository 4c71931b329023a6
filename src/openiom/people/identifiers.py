"""Identifier rules: PNC ID check character, probation case reference (CRN)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# The PNC check character alphabet leaves out I, O and S.
PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
PNC_SERIAL_SPACE = 10_000_000
# Year (2 or 4 digits), optional slash, serial (up to 7 digits), check character.
PNC_REGEX = r"^(\d{2}|\d{4})/?(\d{1,7})([A-Z])$"
_PNC_PATTERN = re.compile(PNC_REGEX)
CRN_PATTERN = re.compile(r"^[A-Z]\d{6}$")


def pnc_check_characters(year2: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """The check character of each (two-digit year, serial): int('YY' + 'NNNNNNN') mod 23 indexes the
    letters. The one implementation: single IDs, import validation and synthetic IDs all use it."""
    import numpy as np  # on use: the web pages that only read IDs need not load it

    number = year2.astype(np.int64) * PNC_SERIAL_SPACE + serial.astype(np.int64)
    return np.asarray(list(PNC_CHECK_LETTERS))[number % len(PNC_CHECK_LETTERS)]


def pnc_check_character(year: str, serial: str) -> str:
    """The check character for a PNC ID from its year (2 or 4 digits) and serial number."""
    import numpy as np

    return str(pnc_check_characters(np.array([int(year) % 100]), np.array([int(serial)]))[0])


def normalise_pnc(value: str) -> str | None:
    """Return the canonical long form YYYY/NNNNNNNC, or None if the value is not a valid PNC ID.

    Two-digit years are expanded relative to a cut-off: 00-39 are 2000s, 40-99 are 1900s (the PNC
    started in the 1970s, so a two-digit year is never ambiguous in practice).
    """
    match = _PNC_PATTERN.match(value.strip().upper())
    if match is None:
        return None
    year, serial, check = match.groups()
    if check != pnc_check_character(year, serial):
        return None
    if len(year) == 2:
        year = ("20" if int(year) < 40 else "19") + year
    return f"{year}/{serial.zfill(7)}{check}"


def pnc_problem(value: str) -> str | None:
    """A plain-English reason the value is not a valid PNC ID, or None if it is valid."""
    match = _PNC_PATTERN.match(value.strip().upper())
    if match is None:
        return f"{value!r} is not in the form YYYY/NNNNNNNC"
    year, serial, check = match.groups()
    expected = pnc_check_character(year, serial)
    if check != expected:
        return f"{value!r} has check character {check} but its number needs {expected}"
    return None


def is_valid_crn(value: str) -> bool:
    return bool(CRN_PATTERN.match(value))
