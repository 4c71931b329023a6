"""The vocabulary of a protected table: its cells, how each is shown, and the threshold."""

from __future__ import annotations

from collections.abc import Mapping
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
