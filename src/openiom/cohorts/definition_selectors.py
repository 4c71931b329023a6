"""Reads for selection definitions: the built-in files and the schemes' own saved versions.

A scheme's definitions are seen by the members of that scheme (everyone, for a scope of "all");
the built-in definitions by everyone who may analyse cohorts. Kept apart from selectors.py, which
reads the people and events an analysis runs on."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from openiom.access.models import Scheme
from openiom.access.policy import Scope, scope_for
from openiom.access.selectors import user_schemes
from openiom.accounts.models import User
from openiom.cohorts.engine.definitions import BUILTIN_DIR, Definition, builtin_definitions, parse_definition
from openiom.cohorts.models import SchemeDefinition


class DefinitionNotFound(LookupError):
    """No definition (or version) with this id that the user may see."""


@dataclass(frozen=True)
class DefinitionEntry:
    """One definition as the pages show it: the parsed rule, and for a scheme's own definition the
    saved version behind it and every version saved (newest first)."""

    definition: Definition
    text: str
    saved: SchemeDefinition | None = None
    history: list[SchemeDefinition] = field(default_factory=list)
    copies: list[SchemeDefinition] = field(default_factory=list)

    @property
    def builtin(self) -> bool:
        return self.saved is None

    @property
    def scheme(self) -> Scheme | None:
        return None if self.saved is None else self.saved.scheme


def definition_schemes(user: User) -> QuerySet[Scheme]:
    """The schemes whose definitions `user` may read and save."""
    if scope_for(user, "cohort.analyse") == Scope.ALL:
        return Scheme.objects.all()
    return user_schemes(user)


def _saved_visible(user: User) -> QuerySet[SchemeDefinition]:
    return SchemeDefinition.objects.filter(scheme__in=definition_schemes(user)).select_related(
        "scheme", "created_by"
    )


def saved_definition(row: SchemeDefinition) -> Definition:
    """A saved version as the engine runs it (the text was validated when it was saved)."""
    return parse_definition(row.text, file=f"{row.definition_id}@{row.version}")


def _builtin_texts() -> dict[str, tuple[Definition, str]]:
    return {d.id: (d, (BUILTIN_DIR / d.file).read_text(encoding="utf-8")) for d in builtin_definitions()}


def definition_list(*, user: User) -> list[DefinitionEntry]:
    """The built-in definitions, then the latest version of each of the user's schemes' own."""
    entries = [DefinitionEntry(d, text) for d, text in _builtin_texts().values()]
    latest: dict[str, SchemeDefinition] = {}
    for row in _saved_visible(user).order_by("definition_id", "-version"):
        latest.setdefault(row.definition_id, row)
    entries += [DefinitionEntry(saved_definition(row), row.text, saved=row) for row in latest.values()]
    return entries


def definition_get(*, user: User, definition_id: str, version: int | None = None) -> DefinitionEntry:
    """One definition with its history; raises DefinitionNotFound for an id (or version) the user
    cannot see, without saying whether it exists elsewhere."""
    builtins = _builtin_texts()
    if definition_id in builtins:
        if version is not None and str(version) != builtins[definition_id][0].version:
            raise DefinitionNotFound(definition_id)
        definition, text = builtins[definition_id]
        copies = list(_saved_visible(user).filter(based_on__startswith=f"{definition_id}@", version=1))
        return DefinitionEntry(definition, text, copies=copies)
    history = list(_saved_visible(user).filter(definition_id=definition_id).order_by("-version"))
    if not history:
        raise DefinitionNotFound(definition_id)
    chosen = history[0] if version is None else next((r for r in history if r.version == version), None)
    if chosen is None:
        raise DefinitionNotFound(f"{definition_id}@{version}")
    return DefinitionEntry(saved_definition(chosen), chosen.text, saved=chosen, history=history)


def analysable_definitions(*, user: User) -> list[Definition]:
    """Every definition `user` may run: the built-in ones and their schemes' latest versions."""
    return [entry.definition for entry in definition_list(user=user)]
