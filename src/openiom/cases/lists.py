"""The lists administrators configure (cohort streams, services, contact types, plan action types), read from the
database. `lists.yaml` beside this file holds the defaults a new database starts with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext

LISTS_FILE = Path(__file__).with_name("lists.yaml")


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    active: bool = True


@dataclass(frozen=True)
class Service(Item):
    pathway: str = ""
    field_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lists:
    streams: tuple[Item, ...]
    services: tuple[Service, ...]
    contact_types: tuple[Item, ...]
    action_types: tuple[Item, ...] = ()

    def service(self, code: str) -> Service | None:
        return next((s for s in self.services if s.code == code), None)


KINDS = (
    ("stream", "streams"),
    ("service", "services"),
    ("contact_type", "contact_types"),
    ("action_type", "action_types"),
)


class ListsError(ValueError):
    pass


def default_entries(path: Path = LISTS_FILE) -> list[dict[str, Any]]:
    """The default entries, as ListEntry field values, from the defaults file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries: list[dict[str, Any]] = []
    try:
        for kind, key in KINDS:
            for position, item in enumerate(raw[key]):
                entry = {
                    "kind": kind,
                    "code": str(item["code"]),
                    "label": str(item["label"]),
                    "position": position,
                }
                if kind == "service":
                    entry |= {"pathway": str(item["pathway"]), "field_groups": list(item["field_groups"])}
                entries.append(entry)
    except (KeyError, TypeError) as exc:
        raise ListsError(f"{path.name}: missing or malformed entry ({exc})") from exc
    return entries


def lists() -> Lists:
    """Every entry, retired ones included (records that use them still need their labels)."""
    from openiom.cases.models import ListEntry, ListKind

    streams: list[Item] = []
    services: list[Service] = []
    contact_types: list[Item] = []
    action_types: list[Item] = []
    plain = {
        ListKind.STREAM: streams,
        ListKind.CONTACT_TYPE: contact_types,
        ListKind.ACTION_TYPE: action_types,
    }
    for entry in ListEntry.objects.all():
        if entry.kind == ListKind.SERVICE:
            services.append(
                Service(entry.code, entry.label, entry.active, entry.pathway, tuple(entry.field_groups))
            )
        else:
            plain[ListKind(entry.kind)].append(Item(entry.code, entry.label, entry.active))
    return Lists(tuple(streams), tuple(services), tuple(contact_types), tuple(action_types))


def choices(items: tuple[Item, ...] | tuple[Service, ...]) -> list[tuple[str, str]]:
    """The entries still offered, for a form. Labels go through the translation catalogue, so the
    default ones can be given in Welsh."""
    return [(i.code, gettext(i.label)) for i in items if i.active]


def offered(items: tuple[Item, ...] | tuple[Service, ...]) -> set[str]:
    """Codes a new record may use."""
    return {i.code for i in items if i.active}


def labels(items: tuple[Item, ...] | tuple[Service, ...]) -> dict[str, str]:
    return {i.code: gettext(i.label) for i in items}


def label(items: tuple[Item, ...] | tuple[Service, ...], code: str) -> str:
    return next((gettext(i.label) for i in items if i.code == code), code)
