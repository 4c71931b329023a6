"""The groups the fairness report counts people in (docs/fairness.md): the dimensions, the 2021
Census high-level ethnic groups over the police 18+1 codes, and the age bands. No import beyond
the standard library, so a web request can validate a resident table without loading the engine."""

from __future__ import annotations

__all__ = ["AGE_BANDS", "AGE_BAND_LABELS", "DIMENSIONS", "ETHNIC_GROUPS", "age_band", "ethnic_group"]

DIMENSIONS = ("ethnic_group", "ethnicity", "sex", "age_band")
# The 2021 Census high-level groups, keyed by the first letter of the police 18+1 codes; NS is
# "not stated" and NR a record with no ethnicity at all.
ETHNIC_GROUPS = {
    "A": "Asian, Asian British or Asian Welsh",
    "B": "Black, Black British, Black Welsh, Caribbean or African",
    "M": "Mixed or Multiple ethnic groups",
    "W": "White",
    "O": "Other ethnic group",
    "NS": "Not stated",
    "NR": "Not recorded",
}
# (label, lowest age, highest age); the youngest band starts at the age of criminal responsibility.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("10-17", 10, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55+", 55, 200),
)
AGE_BAND_LABELS = tuple(label for label, _lo, _hi in AGE_BANDS)


def ethnic_group(code: str | None) -> str:
    if not code:
        return "NR"
    return "NS" if code == "NS" else code[0]


def age_band(age: int | None) -> str:
    for label, low, high in AGE_BANDS:
        if age is not None and low <= age <= high:
            return label
    return "NR"
