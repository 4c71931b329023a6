"""Synthetic identifiers and names, built column-wise so millions of rows cost little.

Names are made by joining generic word lists, so no row can be mistaken for a real person.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openiom.people.identifiers import PNC_SERIAL_SPACE, pnc_check_characters

CRN_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
# An odd multiplier coprime with 10**7 scatters serial numbers while keeping them unique per person.
_SERIAL_MULTIPLIER = 3_901_387
_SERIAL_OFFSET = 1_234_567

GIVEN_MALE = [
    "Adam",
    "Ben",
    "Carl",
    "Dan",
    "Ed",
    "Frank",
    "Gary",
    "Harry",
    "Ian",
    "Jack",
    "Karl",
    "Lee",
    "Mark",
    "Neil",
    "Owen",
    "Paul",
    "Rob",
    "Sam",
    "Tom",
    "Vic",
    "Wes",
    "Zak",
    "Alex",
    "Ryan",
    "Liam",
    "Joe",
]
GIVEN_FEMALE = [
    "Amy",
    "Beth",
    "Cara",
    "Dee",
    "Eve",
    "Faye",
    "Gail",
    "Hope",
    "Isla",
    "Jade",
    "Kim",
    "Lucy",
    "Mia",
    "Nina",
    "Orla",
    "Pam",
    "Rose",
    "Sue",
    "Tia",
    "Val",
    "Zoe",
    "Alex",
    "Jo",
    "Leah",
    "Ruth",
    "Anna",
]
# Two generic halves: "Synthwood", "Testbury" and friends are plainly invented.
FAMILY_FIRST = [
    "Synth",
    "Test",
    "Sample",
    "Demo",
    "Mock",
    "Fictive",
    "Model",
    "Proto",
    "Dummy",
    "Example",
    "Placeholder",
    "Pseudo",
    "Generic",
    "Random",
    "Figment",
    "Token",
]
FAMILY_SECOND = [
    "wood",
    "bury",
    "field",
    "ford",
    "ley",
    "ton",
    "worth",
    "dale",
    "combe",
    "well",
    "ham",
    "gate",
]


def pnc_ids(person_index: np.ndarray, year: np.ndarray) -> pa.Array:
    """Full-form PNC IDs `YYYY/NNNNNNNC`, unique per person index below 10 million."""
    if person_index.size and int(person_index.max()) >= PNC_SERIAL_SPACE:
        raise ValueError("PNC serials run out above 10,000,000 people")
    serial = (person_index.astype(np.int64) * _SERIAL_MULTIPLIER + _SERIAL_OFFSET) % PNC_SERIAL_SPACE
    check = pnc_check_characters(year % 100, serial)
    serial_text = pc.utf8_lpad(pc.cast(pa.array(serial), pa.string()), 7, "0")
    year_text = pc.cast(pa.array(year.astype(np.int64)), pa.string())
    return pc.binary_join_element_wise(year_text, "/", serial_text, pa.array(check, pa.string()), "")


def crns(person_index: np.ndarray) -> pa.Array:
    """Probation case reference numbers: one letter and six digits, unique per person index."""
    letter = np.asarray(list(CRN_LETTERS))[person_index // 1_000_000]
    digits = pc.utf8_lpad(pc.cast(pa.array(person_index % 1_000_000), pa.string()), 6, "0")
    return pc.binary_join_element_wise(pa.array(letter, pa.string()), digits, "")


def prefixed(prefix: str, numbers: np.ndarray, width: int = 0) -> pa.Array:
    text = pc.cast(pa.array(numbers.astype(np.int64)), pa.string())
    if width:
        text = pc.utf8_lpad(text, width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def names(rng: np.random.Generator, male: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """(family_name, given_names) columns built from the generic lists above."""
    n = male.size
    family = np.char.add(
        np.asarray(FAMILY_FIRST)[rng.integers(0, len(FAMILY_FIRST), n)],
        np.asarray(FAMILY_SECOND)[rng.integers(0, len(FAMILY_SECOND), n)],
    )
    first = np.where(
        male,
        np.asarray(GIVEN_MALE)[rng.integers(0, len(GIVEN_MALE), n)],
        np.asarray(GIVEN_FEMALE)[rng.integers(0, len(GIVEN_FEMALE), n)],
    )
    second = np.where(
        male,
        np.asarray(GIVEN_MALE)[rng.integers(0, len(GIVEN_MALE), n)],
        np.asarray(GIVEN_FEMALE)[rng.integers(0, len(GIVEN_FEMALE), n)],
    )
    given = np.where(rng.random(n) < 0.6, np.char.add(np.char.add(first, " "), second), first)
    return pa.array(family, pa.string()), pa.array(given, pa.string())
