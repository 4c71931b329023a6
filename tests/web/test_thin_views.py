"""Views stay thin: no view module queries the database itself; reads go through selectors and
writes through services (docs/cases.md, Module layout)."""

from __future__ import annotations

import ast
from pathlib import Path

import openiom

SRC = Path(openiom.__file__).parent
# Queryset and model methods that run (or build) a query, and the raw connection.
QUERYING = {
    "objects",
    "filter",
    "exclude",
    "order_by",
    "select_related",
    "prefetch_related",
    "first",
    "last",
    "refresh_from_db",
    "iterator",
    "values_list",
    "cursor",
}


def view_modules() -> list[Path]:
    found = [*SRC.glob("*/views.py"), *SRC.glob("*/views/*.py")]
    return sorted(found)


def test_no_view_module_queries_the_database() -> None:
    offences = []
    for path in view_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in QUERYING:
                offences.append(f"{path.relative_to(SRC)}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "django.db":
                offences.append(f"{path.relative_to(SRC)}:{node.lineno} imports django.db")
    assert offences == []


def test_the_cases_views_are_small_modules() -> None:
    sizes = {
        p.name: len(p.read_text(encoding="utf-8").splitlines())
        for p in (SRC / "cases" / "views").glob("*.py")
    }
    assert len(sizes) >= 7 and max(sizes.values()) <= 300, sizes
