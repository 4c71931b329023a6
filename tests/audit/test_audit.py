import pytest

from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.audit.models import AuditEvent
from openiom.audit.services import GENESIS_HASH, audit_payload, audit_record, event_digest

pytestmark = pytest.mark.django_db


def test_rows_are_chained_by_hash() -> None:
    user = user_create(username="a", password="a long test password", role=Role.ANALYST)
    first = audit_record(
        user=user, action="person.view", object_type="person", object_id=1, fields=["b", "a"]
    )
    second = audit_record(user=None, action="import.people", detail={"rows": 3})
    assert first.previous_hash == GENESIS_HASH
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


def test_person_page_reads_are_audited(client: object) -> None:
    from pathlib import Path

    from django.test import Client

    from openiom.imports.services import people_import
    from openiom.people.models import Person
    from openiom.reference.datafiles import builtin_directory
    from openiom.reference.services import reference_dataset_load

    reference_dataset_load(directory=builtin_directory())
    people_import(path=Path(__file__).resolve().parents[2] / "docs" / "examples" / "people.csv")
    person = Person.objects.get(source_id="P0003")
    officer = user_create(username="officer", password="a long test password", role=Role.POLICE_OFFICER)
    browser = Client()
    browser.force_login(officer)
    assert browser.get(f"/people/{person.pk}/").status_code == 200
    assert browser.get("/people/", {"q": "TESTWORTH"}).status_code == 200
    rows = list(AuditEvent.objects.filter(user=officer).order_by("id").values_list("action", "object_id"))
    assert rows == [("person.view", str(person.pk)), ("person.search", "")]
