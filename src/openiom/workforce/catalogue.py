"""The training catalogue's defaults: `catalogue.yaml` beside this file, which a new database starts
with (administrators edit the catalogue on the web after that)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from openiom.vocabulary import CASE_FLAGS

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")
LANES_FILE = Path(__file__).with_name("lanes.yaml")
# The agency kinds a lane can give an action type to (access AgencyKind, less the national body).
LANE_KINDS = ("police", "probation", "partner")


class CatalogueError(ValueError):
    pass


def default_courses(path: Path = CATALOGUE_FILE) -> list[dict[str, Any]]:
    """The default courses, as Course field values; the error names the course and key."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    courses: list[dict[str, Any]] = []
    for position, item in enumerate(raw.get("courses") or []):
        try:
            code = str(item["code"])
            months = item.get("validity_months")
            flags = [str(f) for f in item.get("flags") or []]
            course = {
                "code": code,
                "title": str(item["title"]),
                "validity_months": None if months is None else int(months),
                "flags": flags,
                "streams": [str(s) for s in item.get("streams") or []],
                "position": position,
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogueError(f"{path.name}: course {position + 1}: missing or malformed ({exc})") from exc
        unknown = sorted(set(flags) - set(CASE_FLAGS))
        if unknown:
            raise CatalogueError(f"{path.name}: {code}: unknown flag(s) {', '.join(unknown)}")
        courses.append(course)
    return courses


def default_lanes(path: Path = LANES_FILE) -> dict[str, list[str]]:
    """Action type → the agency kinds that should own it; the error names the type."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    lanes: dict[str, list[str]] = {}
    for action_type, kinds in (raw.get("lanes") or {}).items():
        if not isinstance(kinds, list) or not set(kinds) <= set(LANE_KINDS):
            raise CatalogueError(f"{path.name}: lanes.{action_type}: give a list of {', '.join(LANE_KINDS)}")
        lanes[str(action_type)] = [str(k) for k in kinds]
    return lanes
