"""Reading a reference data directory (manifest.yaml + CSV files) without Django.

Used by the database loader, the synthetic-area generator and the analytics engines, so every part
of OpenIOM reads the same figures from the same files.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BUILTIN_DIR = Path(__file__).parent / "data"
BUILTIN_VERSION = "2026.1"

REQUIRED_COLUMNS: dict[str, list[str]] = {
    "offences": [
        "offence_code",
        "description",
        "category",
        "cost_category",
        "css_weight",
        "css_status",
        "ogrs3_weight",
        "ogrs3_status",
    ],
    "categories": ["category", "label", "neighbourhood_crime", "proven_offence_group", "status", "source"],
    "unit_costs": ["cost_category", "label", "unit_cost_gbp", "price_base", "status", "source", "note"],
}
STATUSES = {"CONFIRMED", "UNCONFIRMED"}


class ReferenceDataError(ValueError):
    """A reference data directory is malformed; the message names the file, row and field."""


@dataclass(frozen=True)
class ReferenceData:
    version: str
    title: str
    published: str | None
    notes: str
    sources: dict[str, str]
    offences: list[dict[str, str]]
    categories: list[dict[str, str]]
    unit_costs: list[dict[str, str]]
    sha256: str
    directory: Path = field(compare=False)

    def offence_by_code(self) -> dict[str, dict[str, str]]:
        return {row["offence_code"]: row for row in self.offences}

    def category_by_key(self) -> dict[str, dict[str, str]]:
        return {row["category"]: row for row in self.categories}

    def unit_cost_by_category(self) -> dict[str, dict[str, str]]:
        return {row["cost_category"]: row for row in self.unit_costs}


def builtin_directory(version: str = BUILTIN_VERSION) -> Path:
    return BUILTIN_DIR / version


def _read_csv(path: Path, kind: str) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED_COLUMNS[kind] if c not in header]
        if missing:
            raise ReferenceDataError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def _check_number(path: Path, row_no: int, column: str, value: str, *, allow_empty: bool) -> None:
    if value == "":
        if not allow_empty:
            raise ReferenceDataError(f"{path.name} row {row_no}, field {column}: a value is required")
        return
    try:
        float(value)
    except ValueError as exc:
        raise ReferenceDataError(
            f"{path.name} row {row_no}, field {column}: {value!r} is not a number"
        ) from exc


def read_reference_directory(directory: Path | str) -> ReferenceData:
    """Read and validate a reference data directory. Raises ReferenceDataError on any problem."""
    directory = Path(directory)
    manifest_path = directory / "manifest.yaml"
    if not manifest_path.exists():
        raise ReferenceDataError(f"{directory}: no manifest.yaml")
    manifest: dict[str, Any] = yaml.safe_load(manifest_path.read_text(encoding="utf-8")) or {}
    for key in ("version", "title", "files", "sources"):
        if key not in manifest:
            raise ReferenceDataError(f"manifest.yaml: missing '{key}'")
    digest = hashlib.sha256(manifest_path.read_bytes())
    tables: dict[str, list[dict[str, str]]] = {}
    for kind in REQUIRED_COLUMNS:
        name = manifest["files"].get(kind)
        if not name:
            raise ReferenceDataError(f"manifest.yaml: files.{kind} is missing")
        path = directory / name
        if not path.exists():
            raise ReferenceDataError(f"manifest.yaml: files.{kind} names {name}, which does not exist")
        digest.update(path.read_bytes())
        tables[kind] = _read_csv(path, kind)

    sources = {str(k): str(v) for k, v in manifest["sources"].items()}
    categories = {r["category"] for r in tables["categories"]}
    cost_categories = {r["cost_category"] for r in tables["unit_costs"]}
    for kind, rows in tables.items():
        path = directory / manifest["files"][kind]
        seen: set[str] = set()
        key = REQUIRED_COLUMNS[kind][0]
        for i, row in enumerate(rows, start=1):
            if not row[key]:
                raise ReferenceDataError(f"{path.name} row {i}, field {key}: a value is required")
            if row[key] in seen:
                raise ReferenceDataError(f"{path.name} row {i}, field {key}: {row[key]!r} appears twice")
            seen.add(row[key])
            for column in [c for c in row if c == "status" or c.endswith("_status")]:
                if row[column] not in STATUSES:
                    raise ReferenceDataError(
                        f"{path.name} row {i}, field {column}: {row[column]!r} must be CONFIRMED or UNCONFIRMED"
                    )
            if "source" in row and row["source"] not in sources:
                raise ReferenceDataError(
                    f"{path.name} row {i}, field source: {row['source']!r} is not listed under sources in manifest.yaml"
                )
            if kind == "offences":
                if row["category"] not in categories:
                    raise ReferenceDataError(
                        f"{path.name} row {i}, field category: {row['category']!r} is not in the categories file"
                    )
                if row["cost_category"] and row["cost_category"] not in cost_categories:
                    raise ReferenceDataError(
                        f"{path.name} row {i}, field cost_category: {row['cost_category']!r} is not in the unit costs file"
                    )
                _check_number(path, i, "css_weight", row["css_weight"], allow_empty=True)
                _check_number(path, i, "ogrs3_weight", row["ogrs3_weight"], allow_empty=True)
            if kind == "unit_costs":
                _check_number(path, i, "unit_cost_gbp", row["unit_cost_gbp"], allow_empty=True)
            if kind == "categories" and row["neighbourhood_crime"] not in ("true", "false"):
                raise ReferenceDataError(
                    f"{path.name} row {i}, field neighbourhood_crime: must be true or false"
                )

    return ReferenceData(
        version=str(manifest["version"]),
        title=str(manifest["title"]),
        published=str(manifest["published"]) if manifest.get("published") else None,
        notes=str(manifest.get("notes", "")),
        sources=sources,
        offences=tables["offences"],
        categories=tables["categories"],
        unit_costs=tables["unit_costs"],
        sha256=digest.hexdigest(),
        directory=directory,
    )


def builtin_reference() -> ReferenceData:
    return read_reference_directory(builtin_directory())
