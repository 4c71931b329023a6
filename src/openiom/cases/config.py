"""The scheme-configurable lists (cohort streams, services, contact types), read from lists.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import gettext

LISTS_FILE = Path(__file__).with_name("lists.yaml")


@dataclass(frozen=True)
class Item:
    code: str
    label: str


@dataclass(frozen=True)
class Service:
    code: str
    label: str
    pathway: str
    field_groups: tuple[str, ...]


@dataclass(frozen=True)
class Lists:
    streams: tuple[Item, ...]
    services: tuple[Service, ...]
    contact_types: tuple[Item, ...]

    def service(self, code: str) -> Service | None:
        return next((s for s in self.services if s.code == code), None)


class ListsError(ValueError):
    pass


def load_lists(path: Path = LISTS_FILE) -> Lists:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        return Lists(
            streams=tuple(Item(str(i["code"]), str(i["label"])) for i in raw["streams"]),
            services=tuple(
                Service(str(s["code"]), str(s["label"]), str(s["pathway"]), tuple(s["field_groups"]))
                for s in raw["services"]
            ),
            contact_types=tuple(Item(str(i["code"]), str(i["label"])) for i in raw["contact_types"]),
        )
    except (KeyError, TypeError) as exc:
        raise ListsError(f"{path.name}: missing or malformed entry ({exc})") from exc


@cache
def lists() -> Lists:
    return load_lists()


def choices(items: tuple[Item, ...] | tuple[Service, ...]) -> list[tuple[str, str]]:
    return [(i.code, gettext(i.label)) for i in items]


def label(items: tuple[Item, ...] | tuple[Service, ...], code: str) -> str:
    return next((gettext(i.label) for i in items if i.code == code), code)
