"""Primary and secondary suppression over a set of linked figures.

Figures are keyed cells; a relation says one cell (a total) is the sum of others. Primary
suppression hides small counts; secondary suppression hides more cells until no relation has
exactly one hidden member, so no hidden cell is the difference of published figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

CONFIG_FILE = Path(__file__).with_name("disclosure.yaml")


class DisclosureConfigError(ValueError):
    """disclosure.yaml is unusable; the message names the key."""


@dataclass(frozen=True)
class DisclosureConfig:
    suppress_below: int = 5


def parse_config(raw: Mapping[str, Any]) -> DisclosureConfig:
    unknown = sorted(set(raw) - {"suppress_below"})
    if unknown:
        raise DisclosureConfigError(f"{unknown[0]}: unknown key (check the spelling)")
    value = raw.get("suppress_below", 5)
    if not isinstance(value, int) or isinstance(value, bool) or value < 3:
        # Below 3 the marker would mean exactly 1, which discloses the count.
        raise DisclosureConfigError("suppress_below: must be a whole number of at least 3")
    return DisclosureConfig(suppress_below=value)


def load_config(path: Path = CONFIG_FILE) -> DisclosureConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DisclosureConfigError(f"{path.name}: cannot be read ({exc})") from exc
    if not isinstance(raw, dict):
        raise DisclosureConfigError(f"{path.name}: must be a mapping of keys to values")
    return parse_config(raw)


class Shown(StrEnum):
    VALUE = "value"
    SMALL = "small"  # primary: 1 to suppress_below - 1
    WITHHELD = "withheld"  # secondary: hidden so that a small count cannot be worked out


@dataclass(frozen=True)
class Relation:
    total: str
    parts: tuple[str, ...]


def protect(
    values: Mapping[str, int], relations: Sequence[Relation], config: DisclosureConfig
) -> dict[str, Shown]:
    """How each cell may be shown."""
    for relation in relations:
        for key in (relation.total, *relation.parts):
            if key not in values:
                raise ValueError(f"relation {relation.total}: cell {key!r} has no value")
        if values[relation.total] != sum(values[p] for p in relation.parts):
            raise ValueError(f"relation {relation.total}: the total is not the sum of its parts")
    shown = {
        key: Shown.SMALL if 0 < value < config.suppress_below else Shown.VALUE
        for key, value in values.items()
    }
    changed = True
    while changed:
        changed = False
        for relation in relations:
            members = (relation.total, *relation.parts)
            hidden = [k for k in members if shown[k] is not Shown.VALUE]
            if len(hidden) != 1:
                continue
            # The smallest published part (a zero only if nothing else), the total last.
            candidates = sorted(
                (k for k in relation.parts if shown[k] is Shown.VALUE),
                key=lambda k: (values[k] == 0, values[k]),
            )
            chosen = candidates[0] if candidates else relation.total
            shown[chosen] = Shown.WITHHELD
            changed = True
    return _audit(values, shown, relations, config)


def _audit(
    values: Mapping[str, int],
    shown: dict[str, Shown],
    relations: Sequence[Relation],
    config: DisclosureConfig,
) -> dict[str, Shown]:
    """Hide more until the attacker recovers nothing: one hidden cell per relation is not enough
    when the marker's range pins the cells (8 = 4 + 4 with both "fewer than 5")."""
    from openiom.returns.attacker import recovered

    while found := recovered(values, shown, relations, config):
        progress = False
        for key in found:
            for relation in relations:
                members = (relation.total, *relation.parts)
                published = [k for k in relation.parts if shown[k] is Shown.VALUE]
                if key not in members or not (published or shown[relation.total] is Shown.VALUE):
                    continue
                published.sort(key=lambda k: (values[k] == 0, values[k]))
                shown[published[0] if published else relation.total] = Shown.WITHHELD
                progress = True
                break
        if not progress:
            keys = ", ".join(sorted(found))
            raise ValueError(f"cells {keys} cannot be protected: every related figure is hidden")
    return shown
