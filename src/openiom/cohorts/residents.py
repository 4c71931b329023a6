"""The resident population table an analyst supplies for the fairness report (docs/fairness.md).

A CSV file with a header `dimension,group,population` and one row per group, e.g.

    dimension,group,population
    ethnic_group,W,812000
    ethnicity,B2,25000
    sex,F,510000
    age_band,18-24,81000

Every problem is reported with its row (the header is row 1) and field; nothing is used while any
remains.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openiom.cohorts.groups import AGE_BAND_LABELS, DIMENSIONS, ETHNIC_GROUPS
from openiom.imports.schema import ETHNICITIES, SEXES

HEADER = ("dimension", "group", "population")
GROUPS: dict[str, frozenset[str]] = {
    "ethnic_group": frozenset(ETHNIC_GROUPS) - {"NR"},
    "ethnicity": ETHNICITIES,
    "sex": SEXES,
    "age_band": frozenset(AGE_BAND_LABELS),
}

Residents = dict[str, dict[str, int]]


class ResidentsError(ValueError):
    """The table cannot be used; `problems` name the row and field of each."""

    def __init__(self, name: str, problems: list[str]) -> None:
        self.problems = [f"{name}: {p}" for p in problems]
        super().__init__("\n".join(self.problems))


def parse_residents(text: str, *, name: str = "residents") -> Residents:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != HEADER:
        raise ResidentsError(name, [f"row 1: the header must be {','.join(HEADER)}"])
    table: Residents = {}
    problems: list[str] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(HEADER):
            problems.append(f"row {number}: expected {len(HEADER)} fields, found {len(row)}")
            continue
        dimension, group, population = (cell.strip() for cell in row)
        if dimension not in DIMENSIONS:
            problems.append(f"row {number}, dimension: {dimension!r} is not one of {', '.join(DIMENSIONS)}")
            continue
        if group not in GROUPS[dimension]:
            allowed = ", ".join(sorted(GROUPS[dimension]))
            problems.append(f"row {number}, group: {group!r} is not a {dimension} group ({allowed})")
            continue
        if not population.isdigit():
            problems.append(f"row {number}, population: {population!r} is not a whole number of people")
            continue
        if group in table.get(dimension, {}):
            problems.append(f"row {number}, group: {dimension} {group} is listed twice")
            continue
        table.setdefault(dimension, {})[group] = int(population)
    if not table and not problems:
        problems.append("no rows after the header")
    if problems:
        raise ResidentsError(name, problems)
    return table


def load_residents(path: Path) -> Residents:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResidentsError(path.name, [f"cannot be read ({exc})"]) from exc
    return parse_residents(text, name=path.name)
