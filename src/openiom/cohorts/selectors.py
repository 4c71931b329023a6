"""Reads for cohorts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import ibis
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import QuerySet

from openiom.access.policy import Scope, scope_for
from openiom.access.selectors import pseudonym, scheme_scope
from openiom.cohorts.engine import PeopleScope, Source, database_source
from openiom.cohorts.models import Candidate, CohortRun
from openiom.people.models import Person

if TYPE_CHECKING:
    from openiom.accounts.models import User


class _NoCommit:
    """Django's SQLite connection as lent to Ibis, whose SQLite backend commits after every query:
    that would end the request's (or a test's) transaction. The engine only reads."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def commit(self) -> None:
        """Leave transaction control to Django."""

    def rollback(self) -> None:
        """Leave transaction control to Django."""


def analysis_scope(user: User, action: str = "cohort.analyse") -> PeopleScope | None:
    """The people a user's cohort analysis may include: everyone (None) for a scope of "all", else the
    records and scheme people their schemes' sharing agreements allow, as for every other read."""
    scope = scope_for(user, action)
    if scope == Scope.ALL:
        return None
    if scope in (Scope.SCHEME, Scope.PSEUDONYMISED):
        visible = scheme_scope(user)
        return PeopleScope(visible.source_systems, visible.shared_scheme_ids)
    raise PermissionDenied(f"{getattr(user, 'username', user)} may not run cohort analysis ({action})")


def analysis_shows_identities(user: User) -> bool:
    """Whether the people an analysis selects are shown to `user` by record id, as on their person
    pages; anyone else (analysts without identities, or no person.view at all) sees pseudonyms."""
    scope = scope_for(user, "person.view")
    if scope == Scope.PSEUDONYMISED:
        return bool(user.sees_identities)
    return scope in (Scope.ALL, Scope.SCHEME)


def analysis_pseudonyms(*, keys: Iterable[str]) -> dict[str, str]:
    """The web's pseudonym for each person_key ("source_system:source_id") of the application database."""
    by_system: dict[str, list[str]] = {}
    for key in keys:
        system, _, source_id = key.partition(":")
        by_system.setdefault(system, []).append(source_id)
    found: dict[str, str] = {}
    for system, source_ids in by_system.items():
        # Chunks stay under SQLite's limit on query parameters.
        for start in range(0, len(source_ids), 900):
            rows = Person.objects.filter(
                source_system=system, source_id__in=source_ids[start : start + 900]
            ).values_list("source_id", "pk")
            found.update((f"{system}:{source_id}", pseudonym(pk)) for source_id, pk in rows)
    return found


def app_database_source(*, user: User) -> Source:
    """The cohort engine on the application database, restricted to the people `user` may analyse,
    through Django's own connection (so it sees the same data, in the same transaction, as the rest
    of the request). On PostgreSQL Ibis wraps each query in psycopg's transaction(), which is a
    savepoint inside Django's transaction."""
    scope = analysis_scope(user)
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        return database_source(ibis.sqlite.from_connection(_NoCommit(raw)), scope=scope)
    if connection.vendor == "postgresql":
        return database_source(ibis.postgres.from_connection(raw), scope=scope)
    raise ValueError(f"the cohort engine does not support the {connection.vendor} database")


def app_database_snapshot(*, user: User) -> Source:
    """The people and events `user` may analyse, copied once out of the application database into
    DuckDB (cohorts.engine.snapshot), where the rules run many times faster than as SQL in it."""
    from openiom.cohorts.engine.snapshot import snapshot_source

    scope = analysis_scope(user)
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        return snapshot_source(ibis.sqlite.from_connection(_NoCommit(raw)), scope=scope)
    if connection.vendor == "postgresql":
        return snapshot_source(ibis.postgres.from_connection(raw), scope=scope)
    raise ValueError(f"the cohort engine does not support the {connection.vendor} database")


def cohort_run_list(*, definition_id: str | None = None) -> QuerySet[CohortRun]:
    runs = CohortRun.objects.all()
    if definition_id:
        runs = runs.filter(definition_id=definition_id)
    return runs


def cohort_run_get(*, run_id: str) -> CohortRun:
    return CohortRun.objects.get(run_id=run_id)


def candidate_list(*, run: CohortRun) -> QuerySet[Candidate]:
    return run.candidates.select_related("person").order_by("person__family_name", "person__given_names")
