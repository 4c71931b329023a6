"""`iom cohort ... --engine database` shows an analyst the people it selects by the same pseudonyms
the web shows them, never by record ids (a tester saw SYNTH:PERSISTENT on the command line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openiom.access.selectors import pseudonym
from openiom.accounts.roles import Role
from openiom.people.models import Person
from tests.cohorts.test_cli import world
from tests.conftest import cli_user, iom

pytestmark = pytest.mark.django_db
IDENTIFY = ["cohort", "identify", "-d", "persistent-six-convictions", "--engine", "database"]
IDENTIFY += ["--as-of", "2026-11-01"]


@pytest.fixture
def persistent() -> str:
    world().load_database("default")
    return pseudonym(Person.objects.get(source_id="PERSISTENT").pk)


def identify_as(user: object, output: Path) -> tuple[str, Any]:
    result: Any = iom([*IDENTIFY, "--output", str(output)], user=user)
    assert result.exit_code == 0, result.output
    return result.output, json.loads(output.read_text())


def test_an_analyst_sees_pseudonyms_not_record_ids(persistent: str, tmp_path: Path) -> None:
    text, [run] = identify_as(cli_user(Role.ANALYST, systems=("SYNTH",)), tmp_path / "run.json")
    assert persistent in text and "1 selected" in text
    assert "SYNTH:" not in text
    # The events behind a reason are record ids too.
    assert "SYNTH:" not in json.dumps(run)
    [candidate] = run["candidates"]
    assert candidate["person"] == persistent and "person_key" not in candidate
    assert candidate["summary"].startswith("7 convictions")


def test_compare_output_lists_an_analyst_pseudonyms(persistent: str, tmp_path: Path) -> None:
    args = ["cohort", "compare", "-d", "persistent-six-convictions", "--engine", "database"]
    args += ["--as-of", "2026-11-01"]
    result: Any = iom(
        [*args, "--output", str(tmp_path / "c.json")], user=cli_user(Role.ANALYST, systems=("SYNTH",))
    )
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "c.json").read_text())
    assert persistent in document["unique"]["persistent-six-convictions@1"]
    assert "SYNTH:" not in json.dumps(document)


def test_those_who_see_identities_on_the_web_see_record_ids(persistent: str, tmp_path: Path) -> None:
    coordinator = cli_user(Role.COORDINATOR, systems=("SYNTH",))
    analyst = cli_user(Role.ANALYST, systems=("SYNTH",), username="cli.named")
    analyst.sees_identities = True  # type: ignore[attr-defined]
    analyst.save()  # type: ignore[attr-defined]
    for user in (coordinator, analyst):
        text, [run] = identify_as(user, tmp_path / "run.json")
        assert "SYNTH:PERSISTENT" in text and persistent not in text
        assert run["candidates"][0]["person_key"] == "SYNTH:PERSISTENT"
