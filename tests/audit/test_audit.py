from typing import Any

import pytest

from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.audit.models import AuditEvent
from openiom.audit.services import GENESIS_HASH, audit_payload, audit_record, event_digest

# Transactions really commit, so each row's checkpoint is written (after the commit) as in service.
pytestmark = pytest.mark.django_db(transaction=True)

CHAIN_KINDS = {"edited", "broken_link", "head"}


def chain_problems() -> list[Any]:
    """What the hash chain alone says (the checkpoints' view is tested in test_anchor.py)."""
    from openiom.audit.selectors import audit_verify

    return [p for p in audit_verify().problems if p.kind in CHAIN_KINDS]


def test_rows_are_chained_by_hash() -> None:
    user = user_create(username="a", password="a long test password", role=Role.ANALYST)
    first = audit_record(
        user=user, action="person.view", object_type="person", object_id=1, fields=["b", "a"]
    )
    second = audit_record(user=None, action="import.people", detail={"rows": 3})
    created = AuditEvent.objects.get(action="user.create")
    assert created.previous_hash == GENESIS_HASH
    assert first.previous_hash == created.hash
    assert second.previous_hash == first.hash
    assert first.fields == ["a", "b"]
    assert (first.username, first.role) == ("a", "analyst")
    for event in AuditEvent.objects.order_by("id"):
        assert event.hash == event_digest(event.previous_hash, audit_payload(event))


def test_editing_a_row_breaks_its_hash() -> None:
    event = audit_record(user=None, action="person.view", object_type="person", object_id=7)
    AuditEvent.objects.filter(pk=event.pk).update(object_id="8")
    edited = AuditEvent.objects.get(pk=event.pk)
    assert event_digest(edited.previous_hash, audit_payload(edited)) != edited.hash


def test_person_page_reads_are_audited() -> None:
    from django.test import Client

    from tests.access.world import build_world

    world = build_world()
    officer = world.users[Role.POLICE_OFFICER]
    browser = Client()
    browser.force_login(officer)
    assert browser.get(f"/people/{world.in_scope.pk}/").status_code == 200
    assert browser.get("/people/", {"q": "TESTWORTH"}).status_code == 200
    rows = list(
        AuditEvent.objects.filter(user=officer).order_by("id").values_list("action", "object_id", "fields")
    )
    assert rows == [
        ("person.view", str(world.in_scope.pk), ["identity", "offending_history"]),
        ("person.search", "", []),
    ]


def _trail(n: int) -> list[AuditEvent]:
    return [
        audit_record(user=None, action="person.view", object_type="person", object_id=i) for i in range(n)
    ]


def test_an_intact_trail_verifies() -> None:
    from openiom.audit.selectors import audit_verify

    _trail(5)
    result = audit_verify()
    assert (result.rows, result.problems) == (5, [])


def test_verify_finds_an_edited_row() -> None:
    rows = _trail(5)
    AuditEvent.objects.filter(pk=rows[2].pk).update(purpose="changed afterwards")
    problems = chain_problems()
    assert [str(p) for p in problems] == [
        f"row {rows[2].pk}: its content does not match its hash: the row was edited"
    ]


def test_verify_finds_a_deleted_row() -> None:
    rows = _trail(5)
    AuditEvent.objects.filter(pk=rows[2].pk).delete()
    problems = chain_problems()
    assert [str(p) for p in problems] == [
        f"row {rows[3].pk}: does not follow row {rows[1].pk}: a row was deleted or inserted between them"
    ]


def test_verify_finds_an_inserted_row() -> None:
    from django.utils import timezone

    rows = _trail(3)
    forged = AuditEvent(
        occurred_at=timezone.now(),
        action="person.view",
        object_type="person",
        object_id="99",
        previous_hash=rows[2].hash,
    )
    forged.hash = event_digest(forged.previous_hash, audit_payload(forged))
    forged.save()  # appended behind the service's back: the chain head does not know it
    problems = chain_problems()
    assert [p.event_id for p in problems] == [None]
    assert "trail ended at row" in str(problems[0])


def test_verify_finds_rows_deleted_from_the_end() -> None:
    rows = _trail(4)
    AuditEvent.objects.filter(pk=rows[3].pk).delete()
    problems = chain_problems()
    assert len(problems) == 1 and "rows were deleted from the end" in str(problems[0])


def test_iom_audit_verify_command_exit_codes() -> None:
    from tests.conftest import cli_user, iom

    rows = _trail(2)
    admin = cli_user(Role.ADMINISTRATOR)
    ok: Any = iom(["audit", "verify"], user=admin)
    # The administrator's creation and the command's own use (audited before it reads the trail)
    # join the two rows: four rows, all intact.
    assert ok.exit_code == 0 and "intact: 4 rows" in ok.output, ok.output
    AuditEvent.objects.filter(pk=rows[0].pk).update(object_id="tampered")
    bad: Any = iom(["audit", "verify"], user=admin)
    assert bad.exit_code == 1
    assert f"row {rows[0].pk}: its content does not match its hash" in bad.output


def test_access_log_page_and_export_for_subject_access() -> None:
    from django.test import Client

    from tests.access.world import build_world

    world = build_world()
    coordinator = world.users[Role.COORDINATOR]
    officer = world.users[Role.POLICE_OFFICER]
    officer_client = Client()
    officer_client.force_login(officer)
    officer_client.get(f"/people/{world.in_scope.pk}/")
    client = Client()
    client.force_login(coordinator)
    page = client.get(f"/people/{world.in_scope.pk}/access-log").content.decode()
    assert "w.police_officer" in page and "person.view" in page
    export = client.get(f"/people/{world.in_scope.pk}/access-log.csv")
    lines = export.content.decode().splitlines()
    assert lines[0] == "when,who,role,action,fields,purpose"
    assert any(",w.police_officer,police_officer,person.view," in line for line in lines)
    assert AuditEvent.objects.filter(user=coordinator, action="person.access_log.export").count() == 1
