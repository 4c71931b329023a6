"""The application database analysed at DuckDB speed: its people and events are read out once, in
bulk (one SELECT each, fetched as Arrow by the database driver), into an in-memory DuckDB, and the
rules run there instead of as SQL inside SQLite or PostgreSQL.

The rows copied are exactly those `database_source` prepares (the same scope, linked records folded
into their canonical person, the active reference data joined), so every engine answers alike;
tests/cohorts/test_parity.py checks it on every definition.
"""

from __future__ import annotations

import uuid
from typing import Any

import ibis

from openiom.cohorts.engine.sources import PeopleScope, Source, database_source


def snapshot_source(database: str | Any, *, scope: PeopleScope | None = None) -> Source:
    """A DuckDB copy of the (scoped) application database: a URL or a connected Ibis backend, as for
    `database_source`. The copy is taken once; later changes to the database are not seen."""
    live = database_source(database, scope=scope, cache=False)
    try:
        people = live.backend.to_pyarrow(live.people)
        events = live.backend.to_pyarrow(live.keyed_events)
    finally:
        if isinstance(database, str):  # a borrowed connection (Django's) stays open for its owner
            live.close()
    backend = ibis.duckdb.connect()
    tag = uuid.uuid4().hex[:12]
    people_t = backend.create_table(f"snapshot_people_{tag}", people, temp=True)
    keyed_t = backend.create_table(f"snapshot_events_{tag}", events, temp=True)
    snapshot = live.snapshot | {"copied_to": "duckdb"}
    return Source("snapshot", backend, people_t, keyed_t.drop("esys", "eid"), keyed_t, snapshot)
