"""The national overview: what a national viewer can work out from everything the page shows."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from openiom.access.models import Scheme, SchemePerson
from openiom.accounts.roles import Role
from openiom.people.models import Person
from tests.access.world import build_world


def _scheme_with_people(code: str, region: str, count: int) -> Scheme:
    scheme = Scheme.objects.create(code=code, name=f"{code} IOM", region=region)
    people = Person.objects.bulk_create(
        Person(
            source_system="SYNTH",
            source_id=f"{code}-{n}",
            family_name="SYNTHETIC",
            given_names=f"Person {code} {n}",
            date_of_birth=date(1990, 1, 1),
            sex="M",
        )
        for n in range(count)
    )
    SchemePerson.objects.bulk_create(SchemePerson(scheme=scheme, person=p, reason="test") for p in people)
    return scheme


def _table(page: str, caption: str) -> list[list[str]]:
    """The body rows of the table with this caption, each a list of its cells' text."""
    start = page.index(caption)
    body = page[start : page.index("</table>", start)]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, flags=re.S)
    return [[c.strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, flags=re.S)] for r in rows[1:]]


@pytest.mark.django_db
def test_a_suppressed_scheme_cannot_be_recovered_from_its_region_total() -> None:
    world = build_world()
    _scheme_with_people("EA", "East", 41)
    _scheme_with_people("EB", "East", 3)
    client = Client()
    client.force_login(world.users[Role.NATIONAL_VIEWER])
    page = client.get("/access/national").content.decode()
    regions = {row[0]: row[1] for row in _table(page, "People worked with, by region")}
    schemes = _table(page, "People worked with, by scheme")
    assert "fewer than 5" in dict((s[0], s[2]) for s in schemes)["EB IOM"]
    # What anyone reading the page can do: the region total less every scheme shown in it.
    for region, total in regions.items():
        members = [s[2] for s in schemes if s[1] == region]
        hidden = [v for v in members if not v.isdigit()]
        if total.isdigit() and len(hidden) == 1:
            recovered = int(total) - sum(int(v) for v in members if v.isdigit())
            pytest.fail(f"{region}: the suppressed scheme is {recovered}, by subtraction")
