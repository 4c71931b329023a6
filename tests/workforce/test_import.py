"""`iom training import`: checked whole-file, every problem named by row and field, nothing written
on any problem, and the same file twice changes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.workforce.importer import training_import
from openiom.workforce.models import TrainingRecord
from tests.access.world import World
from tests.conftest import cli_user, iom

pytestmark = pytest.mark.django_db
HEADER = "username,course,completed_on,evidence\n"


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "training.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_every_bad_row_and_field_is_named_and_nothing_is_written(world: World, tmp_path: Path) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    path = _file(
        tmp_path,
        "w.police_officer,iom_induction,2025-01-15,LMS-1\n"  # good, but the file has errors
        "nobody,iom_induction,2025-01-15,\n"
        "w.police_officer,no_such_course,2025-01-15,\n"
        "w.police_officer,mappa_awareness,15/01/2025,\n"
        f"w.probation_practitioner,safeguarding_adults,{tomorrow},\n"
        "w.analyst,iom_induction,2025-01-15,\n"
        "w.police_officer,iom_induction,2025-01-15,again\n",
    )
    result = training_import(path=path, user=world.users[Role.ADMINISTRATOR])
    assert not result.ok
    assert [(e.row, e.field) for e in result.errors] == [
        (3, "username"),
        (4, "course"),
        (5, "completed_on"),
        (6, "completed_on"),
        (7, "username"),
        (8, "completed_on"),
    ]
    assert "future" in str(result.errors[3]) and "repeats row 2" in str(result.errors[5])
    assert not TrainingRecord.objects.exists()


def test_a_missing_column_is_named(world: World, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("user,course\nx,y\n", encoding="utf-8")
    result = training_import(path=path, user=world.users[Role.ADMINISTRATOR])
    assert {(e.row, e.field) for e in result.errors} == {(1, "username"), (1, "completed_on"), (1, "user")}


def test_the_same_file_twice_changes_nothing(world: World, tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "w.police_officer,domestic_abuse_perpetrator,2024-03-04,DAPW-17\n"
        "w.probation_practitioner,trauma_informed,2025-06-30,\n",
    )
    first = training_import(path=path, user=world.users[Role.ADMINISTRATOR])
    assert (first.inserted, first.unchanged) == (2, 0)
    record = TrainingRecord.objects.get(course__code="domestic_abuse_perpetrator")
    assert str(record.expires_on) == "2026-03-03" and record.evidence == "DAPW-17"
    assert TrainingRecord.objects.get(course__code="trauma_informed").expires_on is None
    again = training_import(path=path, user=world.users[Role.ADMINISTRATOR])
    assert (again.inserted, again.unchanged) == (0, 2)
    assert TrainingRecord.objects.count() == 2
    assert AuditEvent.objects.filter(action="training.import").count() == 2


def test_the_command_reports_problems_and_is_for_administrators(world: World, tmp_path: Path) -> None:
    admin = cli_user(Role.ADMINISTRATOR)
    bad = _file(tmp_path, "nobody,iom_induction,2025-01-15,\n")
    result: object = iom(["training", "import", str(bad)], user=admin)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "row 2, username: no active user 'nobody'" in result.output  # type: ignore[attr-defined]
    assert "nothing was imported" in result.output  # type: ignore[attr-defined]
    good = _file(tmp_path, "w.police_officer,iom_induction,2025-01-15,\n")
    ok: object = iom(["training", "import", str(good)], user=admin)
    assert ok.exit_code == 0 and "1 inserted, 0 unchanged" in ok.output  # type: ignore[attr-defined]
    coordinator = cli_user(Role.COORDINATOR)
    refused: object = iom(["training", "import", str(good)], user=coordinator)
    assert "may not do this (training.import)" in refused.output  # type: ignore[attr-defined]
