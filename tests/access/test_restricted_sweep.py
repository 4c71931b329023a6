"""Special-category data never reaches a page without the restricted-data check.

Health and substance misuse (the "health" group) and victims (the "victim" group) are shown only
after the user, entitled to the group, states a purpose (or uses emergency access, which alerts the
coordinators); the domestic-abuse marker only to users entitled to victim information. The sweep
walks every page, download and search for every role, in scope, with markers planted in each place
such data lives, and fails on any marker shown; then it opens health and checks the entitled see it
and the others still do not.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from openiom.access.policy import has_permission
from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cases.models import Need, Pathway, PlanAction, ServiceReferral
from openiom.cases.services import plan_add_action
from openiom.cohorts.engine.definitions import builtin_definitions
from tests.access.test_urls import POST_ONLY, routed, url_for
from tests.access.world import World, build_world

HEALTH_MARKERS = ("HEALTHNEEDMARK", "HEALTHREFMARK", "HEALTHACTIONMARK", "HEALTHSERVICEMARK")
# The pathway's label names substance misuse: a row that shows it has told the reader already.
HEALTH_LABELS = ("Drugs and alcohol", "substance-misuse", "Substance misuse")
VICTIM_MARKERS = ("V-0001",)
DOMESTIC_ABUSE_LABELS = ("Domestic abuse", "domestic-abuse", "Domestic-abuse")
PLACEHOLDER = "restricted — state a purpose to see"
PURPOSE = "Planning the joint home visit next week"

# Reference pages, list administration and the training catalogue hold no one's data: their labels
# (a course for domestic-abuse perpetrator work, the case flags a course is needed for) are vocabulary.
VOCABULARY_PAGES = {
    "cases:lists",
    "cases:list",
    "cases:list-entry",
    "reference:index",
    "workforce:courses",
    "workforce:course-new",
    "workforce:course",
}


def plant(world: World) -> ServiceReferral:
    """Health data in every place it lives, and the domestic-abuse marker; returns the health referral."""
    assert world.case is not None and world.referral is not None
    from django.utils import timezone

    from openiom.cases.models import ListEntry

    today = timezone.localdate()
    ListEntry.objects.create(kind="service", code="drug_treatment", label="HEALTHSERVICEMARK", position=99)
    Need.objects.create(case=world.case, pathway=Pathway.DRUGS_ALCOHOL, level="high", notes="HEALTHNEEDMARK")
    referral = ServiceReferral.objects.create(
        case=world.case,
        service="drug_treatment",
        pathway=Pathway.DRUGS_ALCOHOL,
        agency=world.partner,
        reason="HEALTHREFMARK",
        sent_on=today,
        grant=world.referral.grant,
    )
    PlanAction.objects.create(
        plan=world.case.plan,
        pathway=Pathway.DRUGS_ALCOHOL,
        text="Referral to substance-misuse treatment HEALTHACTIONMARK",
        owner_agency=world.probation,
        due_date=today,
    )
    # Through the service too, so the plan's version history and the case timeline hold it.
    plan_add_action(
        user=world.users[Role.PROBATION_PRACTITIONER],
        plan=world.case.plan,
        version=world.case.plan.version,
        text="Second substance-misuse session HEALTHACTIONMARK",
        owner_agency=world.probation,
        due_date=today,
        pathway=Pathway.DRUGS_ALCOHOL,
    )
    world.case.domestic_abuse = True
    world.case.save()
    return referral


def visible_text(html: str, name: str) -> str:
    """The page less its select options, whose labels are choices offered, not anyone's data.

    The cohorts page names its fixed definitions ("Serial domestic-abuse perpetrator"): product
    vocabulary, the same for everyone and about no one, so their texts are taken out too.
    """
    text = re.sub(r"<select\b.*?</select>", "", html, flags=re.S)
    if name.startswith("cohorts:"):
        for definition in builtin_definitions():
            for said in (definition.id, definition.title, " ".join(definition.description.split())):
                text = text.replace(said, "")
        text = " ".join(text.split())
        for definition in builtin_definitions():
            text = text.replace(" ".join(definition.description.split()), "")
    return text


def pages(world: World, health_referral: ServiceReferral) -> list[tuple[str, str]]:
    """Every GET page and download in scope, plus search results and the partner's health referral."""
    found = []
    for name, _view, route in routed():
        if name in POST_ONLY or name in VOCABULARY_PAGES or name.startswith("accounts:"):
            continue
        found.append((name, url_for(name, route, world, in_scope=True)))
    found.append(("people:search", reverse("people:search") + f"?q={world.in_scope.family_name}"))
    found.append(("cases:partner-referral", reverse("cases:partner-referral", args=[health_referral.pk])))
    return found


def shown_terms(client: Client, urls: list[tuple[str, str]], terms: list[str]) -> list[tuple[str, str, str]]:
    leaks = []
    for name, url in urls:
        response = client.get(url)
        kind = response.get("Content-Type", "text/html")
        # Pages, CSV and JSON downloads; PDF reports are aggregate and binary.
        if response.status_code != 200 or not kind.startswith(("text/", "application/json")):
            continue
        content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        text = visible_text(content.decode(errors="replace"), name)
        leaks += [(name, url, term) for term in terms if term in text]
    return leaks


def forbidden_for(user: object, *, health_open: bool = False) -> list[str]:
    terms = [*VICTIM_MARKERS]
    if not health_open:
        terms += [*HEALTH_MARKERS, *HEALTH_LABELS]
    if not has_permission(user, "restricted.victim"):
        terms += DOMESTIC_ABUSE_LABELS
    return terms


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_no_page_shows_restricted_data_without_the_check(role: Role) -> None:
    world = build_world()
    health_referral = plant(world)
    user = world.users[role]
    client = Client()
    client.force_login(user)
    leaks = shown_terms(client, pages(world, health_referral), forbidden_for(user))
    assert leaks == [], f"restricted data shown to {role.value} without the check: {leaks}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PROBATION_PRACTITIONER, Role.COORDINATOR], ids=lambda r: r.value)
def test_entitled_users_see_a_placeholder_then_the_data_after_a_purpose(role: Role) -> None:
    world = build_world()
    plant(world)
    assert world.case is not None
    client = Client()
    client.force_login(world.users[role])
    detail, plan = reverse("cases:detail", args=[world.case.pk]), reverse("cases:plan", args=[world.case.pk])
    assert PLACEHOLDER in client.get(detail).content.decode()
    assert PLACEHOLDER in client.get(plan).content.decode()

    client.post(reverse("cases:reveal", args=[world.case.pk]), {"purpose": PURPOSE})
    shown = client.get(detail).content.decode() + client.get(plan).content.decode()
    for marker in ("HEALTHNEEDMARK", "HEALTHSERVICEMARK", "HEALTHACTIONMARK", "Drugs and alcohol"):
        assert marker in shown
    opened = AuditEvent.objects.get(action="restricted.health", user=world.users[role])
    assert (opened.fields, opened.purpose, opened.object_id) == (["health"], PURPOSE, str(world.in_scope.pk))
    # The pages read after opening are audited with the group they showed.
    assert "health" in AuditEvent.objects.filter(action="case.view").order_by("-id").first().fields  # type: ignore[union-attr]


@pytest.mark.django_db
def test_unentitled_users_still_see_nothing_after_a_purpose() -> None:
    world = build_world()
    health_referral = plant(world)
    assert world.case is not None
    officer, analyst = Client(), Client()
    officer.force_login(world.users[Role.POLICE_OFFICER])
    analyst.force_login(world.users[Role.ANALYST])
    assert (
        officer.post(reverse("cases:reveal", args=[world.case.pk]), {"purpose": PURPOSE}).status_code == 403
    )
    assert analyst.post(reverse("cases:reveal", args=[world.case.pk]), {"purpose": PURPOSE}).status_code in (
        403,
        404,
    )
    for role, client in ((Role.POLICE_OFFICER, officer), (Role.ANALYST, analyst)):
        user = world.users[role]
        leaks = shown_terms(client, pages(world, health_referral), forbidden_for(user))
        assert leaks == [], f"{role.value} sees restricted data after a refused purpose: {leaks}"
    # Nor do they see the placeholder: it would say there is something restricted to see.
    assert PLACEHOLDER not in officer.get(reverse("cases:plan", args=[world.case.pk])).content.decode()


@pytest.mark.django_db
def test_a_partner_sees_a_health_referral_only_when_the_grant_shares_health_and_after_a_purpose() -> None:
    world = build_world()
    health_referral = plant(world)
    partner = Client()
    partner.force_login(world.users[Role.PARTNER_WORKER])
    url = reverse("cases:partner-referral", args=[health_referral.pk])
    page = partner.get(url).content.decode()
    assert "HEALTHREFMARK" not in page and "HEALTHSERVICEMARK" not in page and PLACEHOLDER not in page
    assert "Restricted service" in partner.get(reverse("cases:partner-referrals")).content.decode()

    grant = health_referral.grant
    assert grant is not None
    grant.field_groups = [*grant.field_groups, "health"]
    grant.save()
    assert PLACEHOLDER in partner.get(url).content.decode()
    reveal = reverse("people:reveal", args=[world.in_scope.pk, "health"])
    response = partner.post(reveal, {"purpose": "First appointment at the treatment service", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    page = partner.get(url).content.decode()
    assert "HEALTHREFMARK" in page and "HEALTHSERVICEMARK" in page
    viewed = AuditEvent.objects.filter(action="referral.view").order_by("-id").first()
    assert viewed is not None and "health" in viewed.fields
