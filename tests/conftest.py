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


DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "django_db_setup",
    }
)


def uses_application_database(item: pytest.Item) -> bool:
    """Whether a test can reach the application database, directly or through a fixture of ours."""
    if item.get_closest_marker("django_db") is not None:
        return True
    names = set(getattr(item, "fixturenames", ()))
    if names & DATABASE_FIXTURES:
        return True
    # pytest-django puts django_db_blocker in every test's closure; a fixture of ours that asks
    # for it (to build shared rows once per module) makes the test depend on the database.
    info = getattr(item, "_fixtureinfo", None)
    for name in names:
        for fixturedef in info.name2fixturedefs.get(name, ()) if info else ():
            if "pytest_django" in (fixturedef.baseid or "") or fixturedef.func.__module__.startswith(
                "pytest_django"
            ):
                continue
            if {"django_db_blocker", *DATABASE_FIXTURES} & set(fixturedef.argnames):
                return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The PostgreSQL pass (scripts/test) re-runs only what can behave differently on PostgreSQL:
    # a test that never reaches the application database ran identically in the SQLite pass.
    if os.environ.get("OPENIOM_ONLY_DATABASE_TESTS") != "1":
        return
    kept = [item for item in items if uses_application_database(item)]
    dropped = [item for item in items if not uses_application_database(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
