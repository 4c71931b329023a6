import pytest
from django.test import Client

from openiom.access.models import CoordinatorAlert
from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from tests.access.world import build_world

pytestmark = pytest.mark.django_db


def test_restricted_fields_need_a_purpose_and_a_grant() -> None:
    world = build_world()
    url = f"/people/{world.in_scope.pk}/restricted/victim"
    officer = Client()
    officer.force_login(world.users[Role.POLICE_OFFICER])
    assert b"V-0001" not in officer.get(f"/people/{world.in_scope.pk}/").content
    officer.post(url, {"purpose": "short"})
    assert b"V-0001" not in officer.get(f"/people/{world.in_scope.pk}/").content
    officer.post(url, {"purpose": "Risk assessment for a joint visit"})
    assert b"V-0001" in officer.get(f"/people/{world.in_scope.pk}/").content

    partner = Client()
    partner.force_login(world.users[Role.PARTNER_WORKER])
    assert partner.post(url, {"purpose": "Risk assessment for a joint visit"}).status_code == 403
    assert b"V-0001" not in partner.get(f"/people/{world.in_scope.pk}/").content

    analyst = Client()
    analyst.force_login(world.users[Role.ANALYST])
    assert (
        analyst.post(url, {"purpose": "Risk assessment for a joint visit", "emergency": "on"}).status_code
        == 403
    )


def test_emergency_access_is_audited_and_reported_to_the_coordinator() -> None:
    world = build_world()
    officer = Client()
    officer.force_login(world.users[Role.POLICE_OFFICER])
    # Police may not normally open health information; emergency access is the only way in.
    url = f"/people/{world.in_scope.pk}/restricted/health"
    assert officer.post(url, {"purpose": "Collapsed in the cell, paramedics asking"}).status_code == 403
    response = officer.post(url, {"purpose": "Collapsed in the cell, paramedics asking", "emergency": "on"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="restricted.emergency")
    assert (event.username, event.fields, event.purpose) == (
        "w.police_officer",
        ["health"],
        "Collapsed in the cell, paramedics asking",
    )
    alert = CoordinatorAlert.objects.get(message__contains="paramedics")
    assert alert.scheme == world.scheme and "emergency access to the health information" in alert.message
    coordinator = Client()
    coordinator.force_login(world.users[Role.COORDINATOR])
    assert "Collapsed in the cell" in coordinator.get("/access/alerts").content.decode()
