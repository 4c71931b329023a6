"""Selection definitions: versioned YAML files an analyst can read and edit without Python.

A file holds one definition: metadata (id, version, title, source) and a `rule`, which is a tree of
combinators (`and`, `or`, `not`) over leaf clauses, whose kinds (`count`, `rolling_count`, ...) are
the classes listed in `openiom.cohorts.engine.clauses`; the pieces their settings share (windows,
event filters) are in `openiom.cohorts.engine.terms`. The format is documented in docs/cohorts.md. Loading validates the
whole file and raises DefinitionError whose message names the file, the key path and the problem,
e.g. `my-rule.yaml: rule.and[1].count.at_least: Input should be greater than or equal to 1`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import (
    Field,
    ValidationError,
    model_validator,
)

from openiom.cohorts.engine.terms import Strict

if TYPE_CHECKING:
    from openiom.cohorts.engine.clauses import Clause

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "definitions"


class DefinitionError(ValueError):
    """A definition file is malformed. `problems` lists every error found, each fully located."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


COMBINATORS = ("and", "or", "not")


def clause_kinds() -> Mapping[str, type[Clause]]:
    # Imported here, not at the top: the clause kinds' settings are built from this module's
    # Window and EventFilter.
    from openiom.cohorts.engine.clauses import CLAUSES

    return CLAUSES


@dataclass(frozen=True)
class Leaf:
    """A leaf clause with its position in the tree (`path`, used in reasons and errors)."""

    path: str
    clause: Clause

    @property
    def kind(self) -> str:
        return self.clause.kind

    @property
    def name(self) -> str:
        return self.clause.label or self.path


@dataclass(frozen=True)
class Combination:
    op: Literal["and", "or", "not"]
    path: str
    children: tuple[Node, ...]


Node = Leaf | Combination


@dataclass(frozen=True)
class Definition:
    id: str
    version: str
    title: str
    description: str
    source: str
    rule: Node
    file: str
    sha256: str

    def leaves(self) -> list[Leaf]:
        found: list[Leaf] = []

        def walk(node: Node) -> None:
            if isinstance(node, Leaf):
                found.append(node)
            else:
                for child in node.children:
                    walk(child)

        walk(self.rule)
        return found

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"


class _Header(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    version: Annotated[str, Field(min_length=1, max_length=20)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: str = ""
    source: Annotated[str, Field(min_length=1)]
    rule: dict[str, Any]

    @model_validator(mode="before")
    @classmethod
    def _version_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("version"), int | float):
            data = {**data, "version": str(data["version"])}
        return data


def _located(file: str, prefix: str, error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        parts = [prefix] if prefix else []
        for loc in item["loc"]:
            if isinstance(loc, int):
                parts[-1:] = [f"{parts[-1]}[{loc}]"] if parts else [f"[{loc}]"]
            elif loc not in ("function-after", "list[literal[...]]") and not str(loc).startswith(
                ("function-", "literal[", "list[")
            ):
                parts.append(str(loc))
        where = ".".join(parts) or "(top level)"
        problems.append(f"{file}: {where}: {item['msg']}")
    return problems


def _parse_node(file: str, path: str, raw: Any, problems: list[str]) -> Node | None:
    kinds = clause_kinds()
    if not isinstance(raw, dict) or len(raw) != 1:
        keys = ", ".join(COMBINATORS + tuple(kinds))
        problems.append(f"{file}: {path}: expected a mapping with exactly one key, one of: {keys}")
        return None
    ((key, body),) = raw.items()
    here = f"{path}.{key}"
    if key in ("and", "or"):
        if not isinstance(body, list) or len(body) < 2:
            problems.append(f"{file}: {here}: expected a list of at least two clauses")
            return None
        children = [_parse_node(file, f"{here}[{i}]", item, problems) for i, item in enumerate(body)]
        if any(child is None for child in children):
            return None
        return Combination(key, here, tuple(c for c in children if c is not None))
    if key == "not":
        child = _parse_node(file, here, body, problems)
        return None if child is None else Combination("not", here, (child,))
    model = kinds.get(key)
    if model is None:
        keys = ", ".join(COMBINATORS + tuple(kinds))
        problems.append(f"{file}: {path}: unknown clause {key!r}; expected one of: {keys}")
        return None
    if not isinstance(body, dict):
        problems.append(f"{file}: {here}: expected a mapping of settings")
        return None
    try:
        return Leaf(here, model.model_validate(body))
    except ValidationError as exc:
        problems.extend(_located(file, here, exc))
        return None


def parse_definition(text: str, *, file: str) -> Definition:
    """Parse and validate one definition from YAML text; `file` is used in error messages."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(unknown position)"
        raise DefinitionError([f"{file}: {where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from exc
    if not isinstance(raw, dict):
        raise DefinitionError(
            [f"{file}: (top level): expected a mapping with id, version, title, source, rule"]
        )
    try:
        header = _Header.model_validate(raw)
    except ValidationError as exc:
        raise DefinitionError(_located(file, "", exc)) from exc
    problems: list[str] = []
    rule = _parse_node(file, "rule", header.rule, problems)
    if problems or rule is None:
        raise DefinitionError(problems)
    return Definition(
        id=header.id,
        version=header.version,
        title=header.title,
        description=header.description.strip(),
        source=header.source.strip(),
        rule=rule,
        file=file,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def load_definition_file(path: Path | str) -> Definition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError([f"{path}: cannot be read ({exc.strerror})"]) from exc
    return parse_definition(text, file=path.name)


def builtin_definitions() -> list[Definition]:
    return [load_definition_file(p) for p in sorted(BUILTIN_DIR.glob("*.yaml"))]


def resolve_definition(name_or_path: str) -> Definition:
    """A built-in definition by id, or a definition file by path."""
    for definition in builtin_definitions():
        if definition.id == name_or_path:
            return definition
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_definition_file(path)
    known = ", ".join(d.id for d in builtin_definitions())
    raise DefinitionError(
        [f"{name_or_path}: no built-in definition has this id and no such file exists ({known})"]
    )
