"""Shared test helpers.

OPENIOM_REQUIRE_SERVICES=1 (set by .ci/run) turns a missing service (PostgreSQL, Chromium, Java)
into a failure: CI must never go green by skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_SERVICES = os.environ.get("OPENIOM_REQUIRE_SERVICES") == "1"


def service_unavailable(reason: str) -> None:
    """Skip on a developer machine without the service; fail in CI."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def java_home() -> str:
    java = shutil.which("java")
    if java is None:
        service_unavailable("Java is not installed (Spark needs it)")
    return os.path.dirname(os.path.dirname(os.path.realpath(java or "")))


CLI_PASSWORD = "a long command line password"


def cli_user(role: object, *, systems: tuple[str, ...] = (), username: str | None = None) -> object:
    """A user for `iom --user` tests, with an agency supplying records from `systems`."""
    from openiom.access.models import Agency, AgencyKind
    from openiom.accounts.roles import Role
    from openiom.accounts.services import user_create

    assert isinstance(role, Role)
    user = user_create(username=username or f"cli.{role.value}", password=CLI_PASSWORD, role=role)
    if systems:
        user.agency = Agency.objects.create(
            code=f"A{user.pk}",
            name=f"Agency of {user.username}",
            kind=AgencyKind.POLICE,
            source_systems=list(systems),
        )
        user.save()
    return user


def iom(args: list[str], *, user: object = None, password: str = CLI_PASSWORD) -> object:
    """Run `iom ARGS` in-process, as `user` when given (password through OPENIOM_PASSWORD)."""
    from click.testing import CliRunner

    from openiom.cli import main

    argv = ["--user", user.username, *args] if user is not None else args  # type: ignore[attr-defined]
    return CliRunner().invoke(
        main, argv, env={"OPENIOM_PASSWORD": password, "OPENIOM_USER": None}, prog_name="iom"
    )
