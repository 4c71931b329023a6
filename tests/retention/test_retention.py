from datetime import date
from pathlib import Path

import pytest

from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.audit.models import AuditEvent
from openiom.offending.models import OffendingEvent
from openiom.people.models import Person
from openiom.retention.services import (
    ANONYMISED,
    RetentionError,
    Rule,
    load_rules,
    retention_review_apply,
    retention_review_approve,
    retention_review_create,
)
from tests.access.world import build_world

pytestmark = pytest.mark.django_db
LATER = date(2040, 1, 1)  # far enough ahead that the example records are past retention


def test_rules_file_is_valid_and_bad_rules_are_named(tmp_path: Path) -> None:
    assert {r.record_type for r in load_rules()} == {"person", "offending_event", "coordinator_alert"}
    bad = tmp_path / "rules.yaml"
    bad.write_text("person:\n  keep_years: 0\n  action: anonymise\n")
    with pytest.raises(
        RetentionError, match=r"person\.keep_years must be a whole number of years, at least 1"
    ):
        load_rules(bad)
    bad.write_text("person:\n  keep_years: 5\n  action: delete\n")
    with pytest.raises(RetentionError, match=r"person\.action must be 'anonymise'"):
        load_rules(bad)


def test_nothing_changes_without_an_approval() -> None:
    build_world()
    (review,) = retention_review_create(today=LATER, rules=[Rule("offending_event", 10, "delete")])
    assert len(review.record_ids) == OffendingEvent.objects.count() == 9
    with pytest.raises(RetentionError, match="has not been approved; nothing was changed"):
        retention_review_apply(review=review)
    assert OffendingEvent.objects.count() == 9


def test_only_administrators_approve() -> None:
    world = build_world()
    (review,) = retention_review_create(today=LATER, rules=[Rule("offending_event", 10, "delete")])
    with pytest.raises(RetentionError, match="not an administrator"):
        retention_review_approve(review=review, user=world.users[Role.COORDINATOR], reason="tidy")


def test_approved_review_deletes_and_anonymises_and_is_audited() -> None:
    world = build_world()
    admin = world.users[Role.ADMINISTRATOR]
    events, people = retention_review_create(
        today=LATER, rules=[Rule("offending_event", 10, "delete"), Rule("person", 10, "anonymise")]
    )
    # People an IOM scheme works with are never anonymised by retention.
    assert world.in_scope.pk not in people.record_ids and world.out_of_scope.pk not in people.record_ids
    for review in (events, people):
        retention_review_approve(review=review, user=admin, reason="Past the force retention period")
        retention_review_apply(review=review)
    assert OffendingEvent.objects.count() == 0
    anonymised = Person.objects.get(source_id="P0001")
    assert (anonymised.family_name, anonymised.pnc_id, anonymised.aliases) == (ANONYMISED, None, "")
    assert Person.objects.get(pk=world.in_scope.pk).family_name == "TESTWORTH"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"retention.review", "retention.approve", "retention.delete", "retention.anonymise"} <= actions
    with pytest.raises(RetentionError, match="already applied"):
        retention_review_apply(review=events)


def test_recent_records_are_kept() -> None:
    build_world()
    user_create(username="admin2", password="a long test password", role=Role.ADMINISTRATOR)
    (review,) = retention_review_create(rules=[Rule("offending_event", 25, "delete")])
    assert review.record_ids == []
