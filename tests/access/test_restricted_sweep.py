"""Special-category data never reaches a page without the restricted-data check.

Health and substance misuse (the "health" group) and victims (the "victim" group) are shown only
after the user, entitled to the group, states a purpose; the domestic-abuse marker only to users
entitled to victim information. The sweep walks every page for every role, in scope, with
markers planted in each place such data lives, and fails on any marker shown.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from openiom.access.policy import has_permission
from openiom.accounts.roles import Role
from openiom.cases.models import Need, Pathway, PlanAction, ServiceReferral
from tests.access.test_urls import POST_ONLY, routed, url_for
from tests.access.world import World, build_world

HEALTH_MARKERS = ("HEALTHNEEDMARK", "HEALTHREFMARK", "HEALTHACTIONMARK")
# The pathway's label names substance misuse: a row that shows it has told the reader already.
HEALTH_LABELS = ("Drugs and alcohol", "substance-misuse", "Substance misuse")
VICTIM_MARKERS = ("V-0001",)
DOMESTIC_ABUSE_LABELS = ("Domestic abuse", "domestic-abuse", "Domestic-abuse")

# Reference pages and list administration hold no one's data: their labels are vocabulary.
VOCABULARY_PAGES = {"cases:lists", "cases:list", "cases:list-entry", "reference:index"}


def plant(world: World) -> None:
    assert world.case is not None
    from django.utils import timezone

    today = timezone.localdate()
    Need.objects.create(case=world.case, pathway=Pathway.DRUGS_ALCOHOL, level="high", notes="HEALTHNEEDMARK")
    ServiceReferral.objects.create(
        case=world.case,
        service="drug_treatment",
        pathway=Pathway.DRUGS_ALCOHOL,
        agency=world.partner,
        reason="HEALTHREFMARK",
        sent_on=today,
        grant=world.referral.grant if world.referral else None,
    )
    PlanAction.objects.create(
        plan=world.case.plan,
        pathway=Pathway.DRUGS_ALCOHOL,
        text="Referral to substance-misuse treatment HEALTHACTIONMARK",
        owner_agency=world.probation,
        due_date=today,
    )
    world.case.domestic_abuse = True
    world.case.save()


def visible_text(html: str) -> str:
    """The page less its select options, whose labels are choices offered, not anyone's data."""
    return re.sub(r"<select\b.*?</select>", "", html, flags=re.S)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_no_page_shows_restricted_data_without_the_check(role: Role) -> None:
    world = build_world()
    plant(world)
    user = world.users[role]
    client = Client()
    client.force_login(user)
    victim_entitled = has_permission(user, "restricted.victim")
    leaks = []
    for name, _view, route in routed():
        if name in POST_ONLY or name in VOCABULARY_PAGES or name.startswith("accounts:"):
            continue
        url = url_for(name, route, world, in_scope=True)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", "html"):
            continue
        text = visible_text(response.content.decode())
        forbidden = [*HEALTH_MARKERS, *HEALTH_LABELS, *VICTIM_MARKERS]
        if not victim_entitled:
            forbidden += DOMESTIC_ABUSE_LABELS
        leaks += [(name, url, term) for term in forbidden if term in text]
    assert leaks == [], f"restricted data shown to {role.value} without the check: {leaks}"
