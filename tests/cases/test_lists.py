"""Configurable lists: administrators add, rename and retire entries; records keep their codes."""

from __future__ import annotations

import pytest
from django.test import Client

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cases import services
from openiom.cases.lists import choices, lists
from openiom.cases.models import ListEntry, ListKind, ServiceReferral
from tests.access.world import World

pytestmark = pytest.mark.django_db


def test_a_new_database_starts_with_the_default_lists() -> None:
    configured = lists()
    assert [s.code for s in configured.streams] == ["fixed", "flex", "free"]
    assert configured.service("substance_misuse") is not None
    assert configured.service("substance_misuse").field_groups == ("identity", "health")  # type: ignore[union-attr]
    assert "home_visit" in {c.code for c in configured.contact_types}


def test_an_entry_is_added_renamed_and_retired_with_an_audit_row_each(world: World) -> None:
    admin = world.users[Role.ADMINISTRATOR]
    entry = services.list_entry_create(
        user=admin,
        kind=ListKind.SERVICE,
        code="day_centre",
        label="Women's day centre",
        pathway="families",
        field_groups=["identity"],
    )
    assert ("day_centre", "Women's day centre") in choices(lists().services)
    entry = services.list_entry_update(
        user=admin,
        entry=entry,
        version=entry.version,
        label="Women's centre",
        active=False,
        pathway="families",
        field_groups=["identity"],
    )
    assert "day_centre" not in dict(choices(lists().services))
    # Retired, but records that used it still show its label.
    assert lists().service("day_centre").label == "Women's centre"  # type: ignore[union-attr]
    actions = list(
        AuditEvent.objects.filter(object_type="list_entry", object_id=str(entry.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == ["lists.create", "lists.update"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "Day Centre"}, "code"),
        ({"code": "housing"}, "code"),
        ({"label": "  "}, "label"),
        ({"pathway": "nowhere"}, "pathway"),
        ({"field_groups": ["health"]}, "field_groups"),
        ({"field_groups": ["identity", "bank_details"]}, "field_groups"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(
    world: World, values: dict[str, object], field: str
) -> None:
    good: dict[str, object] = {
        "code": "day_centre",
        "label": "Day centre",
        "pathway": "families",
        "field_groups": ["identity"],
    }
    before = ListEntry.objects.count()
    with pytest.raises(services.CaseError) as refused:
        services.list_entry_create(
            user=world.users[Role.ADMINISTRATOR],
            kind=ListKind.SERVICE,
            **(good | values),  # type: ignore[arg-type]
        )
    assert field in refused.value.errors
    assert ListEntry.objects.count() == before


def test_the_last_offered_entry_of_a_list_cannot_be_retired(world: World) -> None:
    admin = world.users[Role.ADMINISTRATOR]
    streams = list(ListEntry.objects.filter(kind=ListKind.STREAM))
    for entry in streams[:-1]:
        services.list_entry_update(
            user=admin, entry=entry, version=entry.version, label=entry.label, active=False
        )
    last = streams[-1]
    with pytest.raises(services.CaseError) as refused:
        services.list_entry_update(
            user=admin, entry=last, version=last.version, label=last.label, active=False
        )
    assert "active" in refused.value.errors


def test_a_retired_service_is_no_longer_offered_but_its_referrals_keep_their_label(world: World) -> None:
    assert world.case is not None and world.referral is not None
    admin = world.users[Role.ADMINISTRATOR]
    housing = ListEntry.objects.get(kind=ListKind.SERVICE, code="housing")
    services.list_entry_update(
        user=admin,
        entry=housing,
        version=housing.version,
        label="Housing options",
        active=False,
        pathway="accommodation",
        field_groups=["identity"],
    )
    practitioner = world.users[Role.PROBATION_PRACTITIONER]
    with pytest.raises(services.CaseError) as refused:
        services.referral_send(
            user=practitioner, case=world.case, service="housing", agency=world.partner, reason="Needs a flat"
        )
    assert "service" in refused.value.errors
    client = Client()
    client.force_login(practitioner)
    form = client.get(f"/cases/{world.case.pk}/referrals/new").content.decode()
    assert 'value="housing"' not in form
    case_page = client.get(f"/cases/{world.case.pk}/").content.decode()
    assert "Housing options" in case_page
    assert ServiceReferral.objects.filter(pk=world.referral.pk, service="housing").exists()


def test_the_lists_page_adds_and_changes_entries_and_shows_a_conflict(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.ADMINISTRATOR])
    assert "Substance-misuse treatment" in client.get("/cases/lists/").content.decode()
    bad = client.post("/cases/lists/contact_type/new", {"code": "", "label": "Text message"})
    assert bad.status_code == 200 and "Enter a code of lower-case letters" in bad.content.decode()
    made = client.post("/cases/lists/contact_type/new", {"code": "text_message", "label": "Text message"})
    assert made.status_code == 302
    entry = ListEntry.objects.get(kind=ListKind.CONTACT_TYPE, code="text_message")
    url = f"/cases/lists/entries/{entry.pk}"
    assert client.post(url, {"version": entry.version, "label": "SMS", "active": "on"}).status_code == 302
    stale = client.post(url, {"version": entry.version, "label": "Text", "active": "on"})
    assert stale.status_code == 409 and "SMS" in stale.content.decode()
    assert client.get("/cases/lists/unknown/new").status_code == 404
    officer = Client()
    officer.force_login(world.users[Role.POLICE_OFFICER])
    assert officer.get("/cases/lists/").status_code == 403
