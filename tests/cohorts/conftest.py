"""Fixtures for the cohort engine: sources on every engine built from one hand-made World."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from openiom.cohorts.engine import Candidate, Source, database_source, file_source, identify, parse_definition
from tests.cohorts.world import World
from tests.conftest import service_unavailable

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def definition_from(rule_yaml: str, *, id: str = "test-rule") -> Any:
    text = f"id: {id}\nversion: '1'\ntitle: Test rule\nsource: hand-written test\nrule:\n{rule_yaml}"
    return parse_definition(text, file=f"{id}.yaml")


@pytest.fixture
def select(tmp_path: Path) -> Callable[..., dict[str, Candidate]]:
    """select(world, rule_yaml, as_of) -> {person_key: Candidate} on DuckDB."""

    def run(world: World, rule_yaml: str, as_of: dt.date) -> dict[str, Candidate]:
        people, events = world.write(tmp_path)
        source = file_source(people=people, events=events)
        result = identify(source, definition_from(rule_yaml), as_of)
        return {c.person_key: c for c in result.candidates}

    return run


@pytest.fixture(scope="session")
def spark(java_home: str) -> Iterator[Any]:
    from openiom.cohorts.engine import spark_session

    session = spark_session(master="local[1]", shuffle_partitions=1)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@contextmanager
def application_database(
    kind: str, world: World, tmp_path: Path, blocker: Any, *, snapshot: bool = False
) -> Iterator[Source]:
    """A throwaway migrated application database (SQLite file or PostgreSQL) holding `world`."""
    import dj_database_url
    from django.core.management import call_command
    from django.db import connections

    alias = f"cohorts_{uuid.uuid4().hex[:8]}"
    admin = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    else:
        import psycopg

        try:
            admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as exc:
            service_unavailable(f"PostgreSQL is not reachable on 127.0.0.1:5432 ({exc})")
        assert admin is not None
        admin.execute(f'CREATE DATABASE "{alias}"')
        url = f"postgres://postgres@127.0.0.1:5432/{alias}"
    configured = connections.configure_settings(
        {"default": connections.settings["default"], alias: dj_database_url.parse(url)}
    )
    connections.settings[alias] = configured[alias]
    source = None
    try:
        with blocker.unblock():
            call_command("migrate", database=alias, verbosity=0)
            world.load_database(alias)
            connections[alias].close()
        if snapshot:
            from openiom.cohorts.engine.snapshot import snapshot_source

            source = snapshot_source(url)
        else:
            source = database_source(url)
        yield source
    finally:
        if source is not None:
            source.close()
        with blocker.unblock():
            connections[alias].close()
        del connections[alias]
        del connections.settings[alias]
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{alias}" WITH (FORCE)')
            admin.close()
