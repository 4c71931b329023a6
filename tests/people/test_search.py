"""Search input a tester used to break the page: a NUL byte gave a 500 on PostgreSQL."""

import pytest
from django.test import Client

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from tests.access.world import build_world

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["TESTWORTH\x00", "\x00", "TEST\x00WORTH"])
def test_a_nul_byte_in_search_is_refused_with_a_message(query: str) -> None:
    world = build_world()
    client = Client(raise_request_exception=True)
    client.force_login(world.users[Role.POLICE_OFFICER])
    response = client.get("/people/", {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Search terms cannot contain control characters" in page
    assert "\x00" not in page
    assert not AuditEvent.objects.filter(action="person.search").exists()


def test_an_ordinary_search_still_works() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.users[Role.POLICE_OFFICER])
    page = client.get("/people/", {"q": "TESTWORTH"}).content.decode()
    assert "TESTWORTH, Casey" in page and "control characters" not in page
    assert AuditEvent.objects.filter(action="person.search").count() == 1
