"""Administration in the web: an administrator sets up accounts, agencies, schemes and sharing
agreements; each change is audited and each refusal names its field, with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiom.access.models import Agency, Scheme, SchemeMembership, SharingAgreement
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from tests.access.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: object) -> World:
    return build_world()


def _admin(world: World) -> Client:
    client = Client()
    client.force_login(world.users[Role.ADMINISTRATOR])
    return client


def test_an_administrator_sets_up_a_new_scheme(world: World) -> None:
    client = _admin(world)
    today = timezone.localdate()
    response = client.post(
        "/access/admin/agencies/new",
        {"code": "WSP", "name": "Westshire Police", "kind": "police", "source_systems": "WSP-NICHE, WSP-PNC"},
    )
    assert response.status_code == 302
    police = Agency.objects.get(code="WSP")
    assert police.source_systems == ["WSP-NICHE", "WSP-PNC"]
    client.post(
        "/access/admin/schemes/new",
        {
            "code": "WS-IOM",
            "name": "Westshire IOM",
            "region": "West",
            "agencies": [police.pk, world.probation.pk],
        },
    )
    scheme = Scheme.objects.get(code="WS-IOM")
    assert set(scheme.agencies.all()) == {police, world.probation}
    response = client.post(
        "/access/admin/agreements/new",
        {
            "scheme": scheme.pk,
            "title": "Westshire ISA",
            "parties": [police.pk, world.probation.pk],
            "legal_basis": "cda1998_s115",
            "purposes": "IOM",
            "starts_on": today.isoformat(),
            "review_date": (today + timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 302
    agreement = SharingAgreement.objects.get(title="Westshire ISA")
    assert agreement.in_force(today)
    response = client.post(
        "/access/admin/users/new",
        {
            "username": "w.officer",
            "first_name": "Wyn",
            "last_name": "Officer",
            "role": "police_officer",
            "agency": police.pk,
            "schemes": [scheme.pk],
        },
        follow=True,
    )
    assert "one-time password" in response.content.decode()
    user = User.objects.get(username="w.officer")
    assert user.agency == police and user.role == "police_officer" and user.has_usable_password()
    assert SchemeMembership.objects.filter(user=user, scheme=scheme).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"agency.create", "scheme.create", "agreement.create", "user.create", "user.update"} <= actions
    assert "Westshire IOM" in client.get("/access/admin/users").content.decode()


def test_refusals_name_the_field_and_write_nothing(world: World) -> None:
    client = _admin(world)
    today = timezone.localdate()
    page = client.post(
        "/access/admin/agreements/new",
        {
            "scheme": world.scheme.pk,
            "title": "Backwards",
            "parties": [world.police.pk],
            "legal_basis": "cda1998_s115",
            "purposes": "IOM",
            "starts_on": today.isoformat(),
            "review_date": (today - timedelta(days=1)).isoformat(),
        },
    ).content.decode()
    assert "The review date must be after the start date" in page and 'href="#id_review_date"' in page
    page = client.post(
        "/access/admin/agreements/new",
        {
            "scheme": world.other_scheme.pk,
            "title": "Wrong parties",
            "parties": [world.partner.pk],
            "legal_basis": "cda1998_s115",
            "purposes": "IOM",
            "starts_on": today.isoformat(),
            "review_date": (today + timedelta(days=10)).isoformat(),
        },
    ).content.decode()
    assert "Not agencies of Other IOM: Example Recovery" in page
    page = client.post(
        "/access/admin/agencies/new", {"code": "pol", "name": "Again", "kind": "police"}
    ).content.decode()
    assert "An agency with this code already exists" in page
    page = client.post(
        "/access/admin/users/new",
        {
            "username": world.users[Role.ANALYST].username,
            "first_name": "A",
            "last_name": "B",
            "role": "analyst",
        },
    ).content.decode()
    assert "An account with this username already exists" in page
    assert not SharingAgreement.objects.filter(title__in=["Backwards", "Wrong parties"]).exists()
    assert Agency.objects.filter(code__iexact="pol").count() == 1


def test_deactivate_change_and_reset_two_factor_are_audited(world: World) -> None:
    client = _admin(world)
    officer = world.users[Role.POLICE_OFFICER]
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    client.post(
        f"/access/admin/users/{officer.pk}",
        {"role": "police_officer", "agency": world.police.pk, "schemes": [world.other_scheme.pk]},
    )
    officer.refresh_from_db()
    assert not officer.is_active
    assert list(SchemeMembership.objects.filter(user=officer).values_list("scheme__code", flat=True)) == [
        "S2"
    ]
    client.post(f"/access/admin/users/{officer.pk}/two-factor", {})
    assert not TOTPDevice.objects.filter(user=officer).exists()
    actions = list(AuditEvent.objects.filter(object_id=str(officer.pk)).values_list("action", flat=True))
    assert {"user.update", "user.deactivate", "otp.reset"} <= set(actions)
    admin = world.users[Role.ADMINISTRATOR]
    page = client.post(
        f"/access/admin/users/{admin.pk}", {"role": "analyst", "is_active": "on"}
    ).content.decode()
    assert "You cannot change your own role or deactivate yourself" in page


def test_renewing_and_ending_an_agreement(world: World) -> None:
    client = _admin(world)
    today = timezone.localdate()
    agreement = world.agreement
    page = client.post(f"/access/admin/agreements/{agreement.pk}/end", {"reason": ""}).content.decode()
    assert "Give the reason the agreement ends" in page
    client.post(f"/access/admin/agreements/{agreement.pk}/end", {"reason": "Partner left the scheme"})
    agreement.refresh_from_db()
    assert not agreement.in_force(today)
    client.post(
        f"/access/admin/agreements/{agreement.pk}/renew",
        {"review_date": (today + timedelta(days=200)).isoformat()},
    )
    agreement.refresh_from_db()
    assert agreement.in_force(today) and agreement.review_date == today + timedelta(days=200)
    assert {"agreement.end", "agreement.renew"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_only_administrators_reach_the_pages(world: World) -> None:
    coordinator = Client()
    coordinator.force_login(world.users[Role.COORDINATOR])
    assert coordinator.get("/access/admin/users").status_code == 403
    assert (
        coordinator.post(
            "/access/admin/agencies/new", {"code": "X", "name": "X", "kind": "police"}
        ).status_code
        == 403
    )
    assert not Agency.objects.filter(code="X").exists()
