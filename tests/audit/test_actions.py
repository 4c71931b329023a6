"""Audit actions are a registry: every name written to the trail is an AuditAction member."""

import re
from pathlib import Path

import pytest

from openiom.access.commands import command_action
from openiom.access.policy import ACTIONS
from openiom.access.selectors import RESTRICTED_GROUPS
from openiom.audit.actions import (
    IMPORT_ACTIONS,
    PANEL_DECISION_ACTIONS,
    RESTRICTED_OPEN_ACTIONS,
    RETENTION_APPLY_ACTIONS,
    AuditAction,
    UnknownAuditAction,
)
from openiom.audit.models import AuditChainHead, AuditEvent
from openiom.audit.services import audit_record
from openiom.cases.models import Decision
from openiom.retention.services import ACTIONS as RETENTION_ACTIONS

SRC = Path(__file__).resolve().parents[2] / "src" / "openiom"
# A name passed to the audit trail or to the command line's permission check, as a literal.
_NAMED = re.compile(
    r"""(?:\baction=|_audit\(\s*user,\s*|command_action\(|acting_user\()\s*(f?)["']([a-z_.{}]+)["']"""
)


@pytest.mark.django_db
def test_an_unknown_action_is_refused_and_nothing_is_written() -> None:
    audit_record(user=None, action=AuditAction.PERSON_VIEW)
    head = AuditChainHead.objects.get().last_hash
    with pytest.raises(UnknownAuditAction, match=r"'person.veiw' is not an audit action"):
        audit_record(user=None, action="person.veiw")
    assert AuditEvent.objects.count() == 1
    assert AuditChainHead.objects.get().last_hash == head


@pytest.mark.django_db
def test_a_registered_name_is_stored_as_its_plain_value() -> None:
    event = audit_record(user=None, action="case.view")
    event.refresh_from_db()
    assert event.action == "case.view"
    assert type(event.action) is str


def test_every_action_named_in_the_code_is_registered() -> None:
    named = {
        (str(path.relative_to(SRC)), match.group(1), match.group(2))
        for path in SRC.rglob("*.py")
        for match in _NAMED.finditer(path.read_text(encoding="utf-8"))
    }
    assert named, "the pattern no longer finds the call sites"
    assert {(path, name) for path, f, name in named if f} == set(), "build no action names at run time"
    values = set(AuditAction)
    commands = {"system", "local_files"}
    assert {(path, name) for path, _, name in named if name not in values | commands} == set()


def test_the_lookup_tables_cover_every_code() -> None:
    assert set(PANEL_DECISION_ACTIONS) == set(Decision.values)
    assert set(RESTRICTED_OPEN_ACTIONS) == set(RESTRICTED_GROUPS)
    assert set(RETENTION_APPLY_ACTIONS) == set(RETENTION_ACTIONS.values())
    assert set(IMPORT_ACTIONS) == {"people", "events"}


def test_a_command_must_be_audited_under_a_registered_action() -> None:
    unaudited = sorted(ACTIONS - set(AuditAction))
    assert unaudited, "every permission is an audit action; pick another example"
    with pytest.raises(UnknownAuditAction, match=unaudited[0]):
        command_action(unaudited[0])
