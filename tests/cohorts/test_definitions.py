"""Definition files: the built-ins load, and malformed files fail with the file, key path and problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from openiom.cohorts.engine import (
    DefinitionError,
    builtin_definitions,
    load_definition_file,
    resolve_definition,
)

HEADER = "id: my-rule\nversion: '2'\ntitle: My rule\nsource: my force's policy 2026\n"


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "my-rule.yaml"
    path.write_text(text)
    with pytest.raises(DefinitionError) as caught:
        load_definition_file(path)
    return caught.value.problems


def test_every_builtin_loads_with_id_matching_its_file() -> None:
    for definition in builtin_definitions():
        assert definition.file == f"{definition.id}.yaml"
        assert resolve_definition(definition.id) == definition
        assert len(definition.sha256) == 64


def test_an_analyst_file_loads_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(HEADER + "rule:\n  not:\n    age: {at_most: 17}\n")
    definition = resolve_definition(str(path))
    assert (definition.label, [leaf.path for leaf in definition.leaves()]) == ("my-rule@2", ["rule.not.age"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            HEADER + "rule:\n  count: {at_least: 0}\n",
            "my-rule.yaml: rule.count.at_least: Input should be greater than or equal to 1",
        ),
        (
            HEADER
            + "rule:\n  and:\n    - {age: {at_least: 16}}\n    - {count: {events: burglaries, at_least: 2}}\n",
            "my-rule.yaml: rule.and[1].count.events.types: Value error, 'burglaries' is not an event set",
        ),
        (
            HEADER + "rule:\n  or:\n    - {age: {at_least: 16}}\n    - {sometimes: {}}\n",
            "my-rule.yaml: rule.or[1]: unknown clause 'sometimes'",
        ),
        (
            HEADER + "rule:\n  and:\n    - {age: {at_least: 16}}\n",
            "my-rule.yaml: rule.and: expected a list of at least two clauses",
        ),
        (
            HEADER + "rule:\n  count: {at_least: 2, within: {months: 3, days: 2}}\n",
            "my-rule.yaml: rule.count.within: Value error, give exactly one of days, months or years",
        ),
        (
            HEADER + "rule:\n  count: {at_least: 2, colour: red}\n",
            "my-rule.yaml: rule.count.colour: Extra inputs are not permitted",
        ),
        (
            HEADER + "rule:\n  count: {at_least: 2}\n  age: {at_least: 3}\n",
            "my-rule.yaml: rule: expected a mapping with exactly one key",
        ),
        (
            HEADER + "rule:\n  rolling_count: {period_days: 91}\n",
            "my-rule.yaml: rule.rolling_count.at_least: Field required",
        ),
        (
            HEADER + "rule:\n  ogrs3: {at_least_percent: 100}\n",
            "my-rule.yaml: rule.ogrs3.at_least_percent: Input should be less than or equal to 99",
        ),
        (
            HEADER + "rule:\n  score:\n    gravity: {robbery: 2}\n    at_least: 5\n    recency:\n"
            "      - {within: {months: 12}, multiplier: 2}\n      - {within: {months: 6}, multiplier: 1}\n",
            "my-rule.yaml: rule.score: Value error, recency bands must be listed from the most recent",
        ),
        (
            "id: My Rule\ntitle: t\nsource: s\nrule: {age: {at_least: 1}}\n",
            "my-rule.yaml: id: String should match pattern",
        ),
        (
            "id: my-rule\ntitle: t\nsource: s\nrule: {age: {at_least: 1}}\n",
            "my-rule.yaml: version: Field required",
        ),
        ("id: my-rule\n  title: [\n", "my-rule.yaml: line 2, column 8: not valid YAML"),
        ("- just\n- a list\n", "my-rule.yaml: (top level): expected a mapping"),
    ],
)
def test_malformed_files_name_file_key_path_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    found = problems(tmp_path, text)
    assert any(p.startswith(expected) for p in found), found


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    found = problems(tmp_path, HEADER + "rule:\n  and:\n    - {count: {at_least: 0}}\n    - {age: {}}\n")
    assert found == [
        "my-rule.yaml: rule.and[0].count.at_least: Input should be greater than or equal to 1",
        "my-rule.yaml: rule.and[1].age: Value error, give at_least, at_most or both",
    ]


def test_missing_file_and_unknown_id() -> None:
    with pytest.raises(DefinitionError, match="no built-in definition has this id"):
        resolve_definition("no-such-definition")
    with pytest.raises(DefinitionError, match="cannot be read"):
        resolve_definition("/nonexistent/rule.yaml")


def test_engine_imports_no_django() -> None:
    code = (
        "import sys, openiom.cohorts.engine as e, openiom.cohorts.engine.analytics, "
        "openiom.cohorts.engine.sources; e.builtin_definitions(); "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if m.startswith('django'))"
    )
    src = Path(__file__).resolve().parents[2] / "src"
    done = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(src)}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
