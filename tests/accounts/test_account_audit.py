"""Creating a user and enrolling an authenticator are audited (a tester found neither was)."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "a long test password"


def test_user_creation_is_audited_with_who_created_whom() -> None:
    admin = user_create(username="admin.one", password=PASSWORD, role=Role.ADMINISTRATOR)
    officer = user_create(
        username="officer.two", password=PASSWORD, role=Role.POLICE_OFFICER, created_by=admin
    )
    event = AuditEvent.objects.get(action="user.create", object_id=str(officer.pk))
    assert event.username == "admin.one"
    assert (event.object_type, event.detail) == (
        "user",
        {"username": "officer.two", "role": "police_officer"},
    )
    first = AuditEvent.objects.get(action="user.create", object_id=str(admin.pk))
    assert first.username == ""  # made by the operator (demo, createsuperuser), not a signed-in user
    assert PASSWORD not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_a_failed_user_creation_writes_no_audit_row() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        user_create(username="bad name!", password=PASSWORD, role=Role.POLICE_OFFICER)
    assert not AuditEvent.objects.filter(action="user.create").exists()


def test_two_factor_enrolment_is_audited(settings: object) -> None:
    settings.OPENIOM_REQUIRE_2FA = True  # type: ignore[attr-defined]
    officer = user_create(username="officer", password=PASSWORD, role=Role.POLICE_OFFICER)
    client = Client()
    client.post("/sign-in", {"username": "officer", "password": PASSWORD})
    client.get("/two-factor")
    assert not AuditEvent.objects.filter(action="otp.enrol").exists()
    device = TOTPDevice.objects.get(user=officer)
    response = client.post("/two-factor", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="otp.enrol")
    assert (event.username, event.object_type, event.object_id) == ("officer", "otp_device", str(device.pk))
    # Signing in again with the enrolled device is not a second enrolment.
    client.post("/sign-out")
    client.post("/sign-in", {"username": "officer", "password": PASSWORD})
    device.refresh_from_db()
    device.throttle_reset()
    device.last_t = -1
    device.save()
    assert client.post("/two-factor", {"token": f"{totp(device.bin_key):06d}"}).status_code == 302
    assert AuditEvent.objects.filter(action="otp.enrol").count() == 1
