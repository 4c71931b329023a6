"""Upgrading a database whose audit trail predates the subject column: old rows keep verifying,
their subject is back-filled from their own hashed content, and a changed back-fill is detected."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.audit.selectors import audit_verify, person_access_log
from openiom.audit.services import GENESIS_HASH, audit_checkpoint, audit_record, event_digest
from tests.conftest import cli_user, iom

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("audit", "0002_auditchainhead_length")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_trail(old_apps: Any) -> None:
    """Rows as the application wrote them before this change: no subject, hashed without one."""
    event_model = old_apps.get_model("audit", "AuditEvent")
    head_model = old_apps.get_model("audit", "AuditChainHead")
    previous, last = GENESIS_HASH, None
    rows = [
        ("person.view", "person", "41", {}),
        ("case.view", "case", "7", {"person": 41}),
        ("case.need", "case", "7", {"person": 41, "pathway": "drugs_alcohol"}),
        ("national.view", "", "", {}),
    ]
    for action, object_type, object_id, detail in rows:
        fields = {
            "occurred_at": timezone.now(),
            "username": "old.user",
            "role": "probation_practitioner",
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "fields": [],
            "purpose": "",
            "detail": detail,
        }
        payload = {**fields, "occurred_at": fields["occurred_at"].isoformat(), "user_id": None}
        digest = event_digest(previous, payload)
        last = event_model.objects.create(**fields, user=None, previous_hash=previous, hash=digest)
        previous = digest
    head_model.objects.create(pk=1, last_hash=previous, last_event_id=last.pk, length=len(rows))


def test_an_upgraded_trail_verifies_and_old_rows_are_in_the_access_log() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
    try:
        _old_trail(_migrate(BEFORE))
        _migrate(latest)
        audit_checkpoint()  # as docs/security.md says for a trail written before checkpoints
        result = audit_verify()
        assert result.intact, result.problems
        old = AuditEvent.objects.order_by("id")
        assert [(e.payload_version, e.subject_person) for e in old] == [(1, 41), (1, 41), (1, 41), (1, None)]
        assert person_access_log(person_id=41).count() == 3

        audit_record(user=None, action="person.view", object_type="person", object_id=41)
        assert audit_verify().intact
        assert person_access_log(person_id=41).count() == 4
        admin = cli_user(Role.ADMINISTRATOR)
        verified: Any = iom(["audit", "verify"], user=admin)
        assert verified.exit_code == 0, verified.output

        # An old row's subject is outside its hash, but must still be what its content names.
        moved = old.first()
        assert moved is not None
        AuditEvent.objects.filter(pk=moved.pk).update(subject_person=42)
        problems = [p for p in audit_verify().problems if p.kind == "edited"]
        assert [p.event_id for p in problems] == [moved.pk]
        # Marking a new row as old, to take its subject out of the hash, breaks its hash.
        new = AuditEvent.objects.order_by("-id").first()
        assert new is not None
        AuditEvent.objects.filter(pk=new.pk).update(payload_version=1)
        assert new.pk in [p.event_id for p in audit_verify().problems if p.kind == "edited"]
    finally:
        _migrate(latest)
