"""`iom demo` builds a working area: synthetic people, events, users per role, a live scheme."""

from pathlib import Path

import pytest
from django.test import Client

from openiom.access.models import PersonAccessGrant, SchemePerson
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.offending.models import OffendingEvent
from openiom.people.models import Person
from openiom.web.demo import demo_build

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_demo_builds_an_area_and_one_user_per_role(tmp_path: Path) -> None:
    messages: list[str] = []
    summary = demo_build(
        data_dir=tmp_path, people=600, seed=3, password="demo password 1", echo=messages.append
    )
    assert summary.people == Person.objects.count() == 600
    assert OffendingEvent.objects.count() > 600
    assert {u.role for u in User.objects.filter(username__startswith="demo.")} == set(Role)
    assert SchemePerson.objects.exists() and PersonAccessGrant.objects.exists()

    officer = Client()
    assert (
        officer.post("/sign-in", {"username": "demo.police", "password": "demo password 1"}).status_code
        == 302
    )
    person = SchemePerson.objects.first().person  # type: ignore[union-attr]
    page = officer.get(f"/people/{person.pk}/")
    assert page.status_code == 200 and b"Offending timeline" in page.content

    # The Workforce page has training, an expiring course and police work in another lane to show.
    coordinator = Client()
    coordinator.post("/sign-in", {"username": "demo.coordinator", "password": "demo password 1"})
    workforce = coordinator.get("/workforce/").content.decode()
    assert "Domestic-abuse perpetrator work" in workforce and "Welfare and support" in workforce
    assert "Safeguarding children" in workforce  # the flagged case whose officer's course lapsed

    # Running the demo again reuses the area and resets the printed password.
    again = demo_build(
        data_dir=tmp_path, people=600, seed=3, password="demo password 2", echo=messages.append
    )
    assert again.people == 600
    response = Client().post("/sign-in", {"username": "demo.police", "password": "demo password 2"})
    assert response.status_code == 302
