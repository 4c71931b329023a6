"""Every `iom` command goes through the one permission check: declared, enforced per role, audited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from openiom.access.commands import CLI_ACTION_ATTR, LOCAL_FILES, SYSTEM
from openiom.access.policy import ACTIONS, has_permission
from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cli import main
from openiom.people.models import Person
from openiom.reference.models import ReferenceDataSet
from tests.conftest import cli_user, iom

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def commands() -> Iterator[tuple[str, click.Command]]:
    """(command path, command) for every runnable `iom` command, walking the groups."""

    def walk(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            if isinstance(command, click.Group):
                yield from walk(command, f"{prefix} {name}")
            else:
                yield f"{prefix} {name}", command

    yield from walk(main, "iom")


def declared(command: click.Command) -> str | None:
    return getattr(command.callback, CLI_ACTION_ATTR, None)


def test_every_command_declares_what_it_does() -> None:
    undeclared = [path for path, command in commands() if declared(command) is None]
    assert undeclared == [], f"commands without a permission rule: {undeclared}"
    unknown = [
        (path, declared(c)) for path, c in commands() if declared(c) not in ACTIONS | {SYSTEM, LOCAL_FILES}
    ]
    assert unknown == []


# How to run each command that uses the application database, harmlessly, for the role matrix.
INVOCATIONS: dict[str, list[str]] = {
    "iom import people": ["import", "people", str(EXAMPLES / "people.csv")],
    "iom import events": ["import", "events", str(EXAMPLES / "events.csv")],
    "iom reference load": ["reference", "load"],
    "iom reference show": ["reference", "show"],
    "iom audit verify": ["audit", "verify"],
    # No such agency: refused before anything is written.
    "iom api register-client": [
        "api",
        "register-client",
        "--name",
        "matrix-client",
        "--agency",
        "NO-SUCH",
        "--role",
        "police_officer",
    ],
    # Names demo users the matrix does not have: refused row by row, nothing written.
    "iom training import": ["training", "import", str(EXAMPLES / "training.csv")],
    "iom retention review": ["retention", "review"],
    "iom retention approve": ["retention", "approve", "999999", "--reason", "Past the retention period"],
    "iom retention apply": ["retention", "apply", "999999"],
    # Review above automatic: refused as a usage error before any linking.
    "iom link run": ["link", "run", "--auto-threshold", "0.5", "--review-threshold", "0.9"],
    # No such scheme: refused or "not a member", nothing written either way.
    "iom performance report": [
        "performance",
        "report",
        "--scheme",
        "NO-SUCH",
        "--quarter",
        "2026Q3",
        "--out",
        "/nonexistent/performance",
    ],
}


def test_the_role_matrix_covers_every_database_command() -> None:
    database = {path for path, command in commands() if declared(command) in ACTIONS}
    assert database == set(INVOCATIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_database_command_for_every_role(role: Role) -> None:
    user = cli_user(role, systems=("EXAMPLE",))
    actions = {path: declared(command) for path, command in commands()}
    for path, args in INVOCATIONS.items():
        people_before = Person.objects.count()
        result: Any = iom(args, user=user)
        where = f"{path} as {role.value}: {result.output}"
        assert result.exception is None or isinstance(result.exception, SystemExit), where
        if has_permission(user, actions[path] or ""):
            assert "may not do this" not in result.output, where
        else:
            assert result.exit_code == 1 and f"may not do this ({actions[path]})" in result.output, where
            assert Person.objects.count() == people_before, f"refused but wrote: {where}"
            assert AuditEvent.objects.filter(
                username=user.username,  # type: ignore[attr-defined]
                action="permission.denied",
                detail__command=path,
            ).exists(), where


@pytest.mark.django_db
def test_a_database_command_names_its_user_and_is_audited_as_them() -> None:
    anonymous: Any = iom(["reference", "load"])
    assert anonymous.exit_code == 2 and "runs as a named user: `iom --user USERNAME" in anonymous.output
    admin = cli_user(Role.ADMINISTRATOR)
    bad: Any = iom(["reference", "load"], user=admin, password="wrong")
    assert bad.exit_code == 1 and "wrong password" in bad.output
    assert not ReferenceDataSet.objects.exists()
    ok: Any = iom(["reference", "load"], user=admin)
    assert ok.exit_code == 0, ok.output
    dataset = ReferenceDataSet.objects.get()
    assert dataset.loaded_by == admin
    assert AuditEvent.objects.filter(username="cli.administrator", action="reference.manage").exists()
    imported: Any = iom(["import", "people", str(EXAMPLES / "people.csv")], user=admin)
    assert imported.exit_code == 0, imported.output
    assert AuditEvent.objects.filter(username="cli.administrator", action="import.people").exists()


def test_file_only_commands_need_no_user(tmp_path: Path) -> None:
    result: Any = iom(["cohort", "definitions"])
    assert result.exit_code == 0 and "persistent-six-convictions" in result.output
