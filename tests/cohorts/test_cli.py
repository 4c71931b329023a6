"""`iom cohort ...` end to end on files, and `identify --save` into the application database."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from openiom.accounts.roles import Role
from openiom.cli import main
from tests.cohorts.world import World
from tests.conftest import cli_user, iom

D = dt.date


def world() -> World:
    w = World()
    w.person("PERSISTENT")
    w.person("QUIET", dob=D(2000, 5, 5), sex="F")
    for k in range(7):
        w.event("PERSISTENT", "conviction", D(2026, 1, 1) + dt.timedelta(days=9 * k))
    w.event("QUIET", "caution", D(2024, 1, 1))
    return w


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    people, events = world().write(tmp_path)
    return ["--people", str(people), "--events", str(events), "--as-of", "2026-11-01"]


def run(*args: str, user: object = None) -> str:
    result: Any = iom(["cohort", *args], user=user)
    assert result.exit_code == 0, result.output
    return result.output


def test_identify_prints_reasons_and_writes_json(files: list[str], tmp_path: Path) -> None:
    out = tmp_path / "cohort.json"
    text = run("identify", "-d", "persistent-six-convictions", *files, "--output", str(out))
    assert "SYNTH:PERSISTENT" in text and "7 convictions between 2026-01-01 and 2026-02-24" in text
    assert "persistent-six-convictions@1: 1 selected at 2026-11-01 on duckdb" in text
    [run_doc] = json.loads(out.read_text())
    assert run_doc["definition"]["version"] == "1" and run_doc["snapshot"]["kind"] == "files"
    reason = run_doc["candidates"][0]["reasons"][0]
    assert reason["held"] and reason["numbers"]["count"] == 7 and len(reason["events"]) == 7


def test_compare_stability_concentration(files: list[str], tmp_path: Path) -> None:
    text = run("compare", *files, "--output", str(tmp_path / "compare.csv"))
    assert "persistent-six-convictions@1" in text and "jaccard" in text
    assert (tmp_path / "compare.csv").read_text().startswith("a,b,both,either,jaccard")
    text = run("stability", "-d", "persistent-six-convictions", *files[:-2], "--as-of", "2026-06-30")
    assert "desisted unaided" in text
    text = run("concentration", *files, "--output", str(tmp_path / "c.json"))
    assert "2 offenders with 8 proven offences" not in text  # QUIET's caution is outside 12 months
    assert "1 offenders with 7 proven offences" in text
    assert json.loads((tmp_path / "c.json").read_text())["top_shares"]["1"] == 1.0


def test_validate_reports_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nversion: 1\ntitle: t\nsource: s\nrule: {count: {at_least: -1}}\n")
    result = CliRunner().invoke(main, ["cohort", "validate", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml: rule.count.at_least: Input should be greater than or equal to 1" in result.output


def test_bad_input_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["cohort", "identify", "-d", "nope"])
    assert result.exit_code == 2 and "no built-in definition has this id" in result.output
    result = CliRunner().invoke(main, ["cohort", "concentration", "--engine", "spark"])
    assert result.exit_code == 2 and "needs --people and --events" in result.output


@pytest.mark.django_db
def test_identify_save_writes_candidates_with_reasons(files: list[str]) -> None:
    from openiom.cohorts.models import CohortRun
    from openiom.cohorts.selectors import candidate_list
    from openiom.people.models import Person

    for row in world().people:
        Person.objects.create(**row)
    analyst = cli_user(Role.ANALYST, systems=("SYNTH",))
    text = run("identify", "-d", "persistent-six-convictions", *files, "--save", user=analyst)
    assert "saved run" in text
    saved = CohortRun.objects.get()
    assert (saved.definition_id, saved.definition_version, str(saved.as_of)) == (
        "persistent-six-convictions",
        "1",
        "2026-11-01",
    )
    assert saved.snapshot["kind"] == "files" and len(saved.snapshot_id) == 16
    [candidate] = candidate_list(run=saved)
    assert candidate.person.source_id == "PERSISTENT"
    assert candidate.summary.startswith("7 convictions between 2026-01-01")
    assert candidate.reasons[0]["numbers"]["count"] == 7
    assert saved.created_by == analyst


@pytest.mark.django_db
def test_save_needs_a_permitted_user_and_people_in_their_scope(files: list[str]) -> None:
    from openiom.audit.models import AuditEvent
    from openiom.cohorts.models import CohortRun
    from openiom.people.models import Person

    for row in world().people:
        Person.objects.create(**row)
    save = ["cohort", "identify", "-d", "persistent-six-convictions", *files, "--save"]
    anonymous: Any = iom(save)
    assert anonymous.exit_code == 2 and "runs as a named user" in anonymous.output
    officer: Any = iom(save, user=cli_user(Role.POLICE_OFFICER, systems=("SYNTH",)))
    assert officer.exit_code == 1 and "may not do this (cohort.analyse)" in officer.output
    wrong: Any = iom(save, user=cli_user(Role.ANALYST, systems=("SYNTH",)), password="not it")
    assert wrong.exit_code == 1 and "wrong password" in wrong.output
    elsewhere: Any = iom(save, user=cli_user(Role.ANALYST, systems=("OTHERFORCE",), username="cli.other"))
    assert elsewhere.exit_code == 1
    assert "outside the people cli.other may analyse: SYNTH:PERSISTENT" in elsewhere.output
    assert CohortRun.objects.count() == 0
    assert AuditEvent.objects.filter(username="cli.other", action="cohort.analyse").exists()


@pytest.mark.django_db
def test_save_refuses_unknown_people_and_writes_nothing(files: list[str]) -> None:
    from openiom.cohorts.models import Candidate, CohortRun

    result: Any = iom(
        ["cohort", "identify", "-d", "persistent-six-convictions", *files, "--save"],
        user=cli_user(Role.ANALYST, systems=("SYNTH",)),
    )
    assert result.exit_code == 1
    assert "1 candidate(s) are not people in the application database: SYNTH:PERSISTENT" in result.output
    assert (CohortRun.objects.count(), Candidate.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_the_database_engine_runs_as_a_permitted_user_within_their_scope() -> None:
    world().load_database("default")
    args = ["cohort", "identify", "-d", "persistent-six-convictions", "--engine", "database"]
    args += ["--as-of", "2026-11-01"]
    refused: Any = iom(args, user=cli_user(Role.PARTNER_WORKER, systems=("SYNTH",)))
    assert refused.exit_code == 1 and "may not do this (cohort.analyse)" in refused.output
    ours: Any = iom(args, user=cli_user(Role.ANALYST, systems=("SYNTH",)))
    assert ours.exit_code == 0 and "1 selected" in ours.output, ours.output
    theirs: Any = iom(args, user=cli_user(Role.ANALYST, systems=("OTHERFORCE",), username="cli.other"))
    assert theirs.exit_code == 0 and "0 selected" in theirs.output, theirs.output
    # Scope said out loud: the people the user may not analyse are counted, not silently missing.
    assert "cli.other may analyse 0 of the" in theirs.output and "outside their scope" in theirs.output
    assert "outside their scope" not in ours.output
