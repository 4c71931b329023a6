"""Issue 14's promises on the pages: errors named in the summary, closed cases read-only, the
partner's view of what its referral shares, labels and names rather than codes and logins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from openiom.access.models import PersonAccessGrant
from openiom.accounts.roles import Role
from openiom.cases import services
from openiom.cases.models import Need, ServiceReferral
from tests.access.world import World

pytestmark = pytest.mark.django_db


def _client(world: World, role: Role) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_a_one_word_requirement_is_refused_in_the_error_summary(world: World) -> None:
    assert world.case is not None
    page = _client(world, Role.PROBATION_PRACTITIONER).post(
        f"/cases/{world.case.pk}/plan/requirements",
        {"version": 1, "text": "Attend", "due_date": timezone.localdate().isoformat()},
    )
    text = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in text
    assert "What the person must do: Say in at least 3 words" in text
    assert "How it will be checked: Say how it will be checked" in text


def test_a_future_attended_contact_names_the_date_field(world: World) -> None:
    assert world.case is not None
    page = _client(world, Role.POLICE_OFFICER).post(
        f"/cases/{world.case.pk}/contacts/new",
        {
            "contact_type": "home_visit",
            "agency": world.police.pk,
            "on": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "outcome": "attended",
        },
    )
    assert "Date: A contact that was attended or missed cannot be in the future" in page.content.decode()


def test_a_closed_case_offers_no_changes_but_a_coordinators_reopen(world: World) -> None:
    case = world.case
    assert case is not None
    coordinator = world.users[Role.COORDINATOR]
    services.case_exit(
        user=coordinator,
        case=case,
        version=case.version,
        reason="Stepped down after a settled year",
        on=timezone.localdate(),
    )
    page = _client(world, Role.PROBATION_PRACTITIONER).get(f"/cases/{case.pk}/").content.decode()
    assert "Closed case" in page and "Change risk and flags" not in page and "Reopen the case" not in page
    plan = _client(world, Role.PROBATION_PRACTITIONER).get(f"/cases/{case.pk}/plan").content.decode()
    assert "Add a requirement" not in plan
    client = _client(world, Role.COORDINATOR)
    assert "Reopen the case" in client.get(f"/cases/{case.pk}/").content.decode()
    case.refresh_from_db()
    refused = client.post(f"/cases/{case.pk}/reopen", {"version": case.version, "reason": "Again"})
    assert "Give the reason for reopening" in refused.content.decode()
    done = client.post(
        f"/cases/{case.pk}/reopen",
        {"version": case.version, "reason": "Arrested for two burglaries this week"},
    )
    assert done.status_code == 302
    assert (
        "Change risk and flags"
        in _client(world, Role.PROBATION_PRACTITIONER).get(f"/cases/{case.pk}/").content.decode()
    )


def test_the_case_page_has_a_contents_list(world: World) -> None:
    assert world.case is not None
    page = _client(world, Role.POLICE_OFFICER).get(f"/cases/{world.case.pk}/").content.decode()
    assert 'aria-labelledby="contents-title"' in page and 'href="#timeline"' in page


def test_a_substance_misuse_referral_that_shares_health_shows_it_to_the_partner(world: World) -> None:
    case, probation = world.case, world.users[Role.PROBATION_PRACTITIONER]
    assert case is not None
    PersonAccessGrant.objects.all().delete()
    Need.objects.create(
        case=case, pathway="drugs_alcohol", level="high", notes="Daily heroin use, wants a script"
    )
    referral = services.referral_send(
        user=probation, case=case, service="substance_misuse", agency=world.partner, reason="Wants treatment"
    )
    partner = _client(world, Role.PARTNER_WORKER)
    url = f"/cases/referrals/{referral.pk}/"
    before = partner.get(url).content.decode()
    assert "Health and substance misuse shared with this referral" in before
    assert "Daily heroin use" not in before  # restricted: opened with a stated purpose
    partner.post(f"{url}restricted/health", {"purpose": "Assessing for opiate substitution"})
    assert "Daily heroin use, wants a script" in partner.get(url).content.decode()
    # A housing referral shares identity only: no health on its page.
    housing = ServiceReferral.objects.create(
        case=case,
        service="housing",
        pathway="accommodation",
        agency=world.partner,
        reason="x",
        sent_on=timezone.localdate(),
        grant=PersonAccessGrant.objects.create(
            person=case.person, agency=world.partner, field_groups=["identity"], purpose="r"
        ),
    )
    assert (
        "Health and substance misuse shared"
        not in partner.get(f"/cases/referrals/{housing.pk}/").content.decode()
    )


def test_the_partner_is_offered_only_the_next_statuses_and_lists_open_referrals_first(world: World) -> None:
    referral, partner_user = world.referral, world.users[Role.PARTNER_WORKER]
    assert referral is not None
    partner = _client(world, Role.PARTNER_WORKER)
    page = partner.get(f"/cases/referrals/{referral.pk}/").content.decode()
    assert 'value="accepted"' in page and 'value="started"' not in page and 'value="completed"' not in page
    today = timezone.localdate()
    services.referral_update(user=partner_user, referral=referral, version=1, status="accepted", on=today)
    older = ServiceReferral.objects.create(
        case=referral.case,
        service="employment",
        pathway="ete",
        agency=world.partner,
        reason="x",
        sent_on=today - timedelta(days=5),
        grant=referral.grant,
    )
    listing = partner.get("/cases/referrals/").content.decode()
    # Sent before accepted, as "open first" reads: by status code "accepted" came first.
    assert listing.index(f"/cases/referrals/{older.pk}/") < listing.index(f"/cases/referrals/{referral.pk}/")


def test_worker_selects_show_names_not_login_names(world: World) -> None:
    assert world.case is not None
    page = _client(world, Role.PROBATION_PRACTITIONER).get(f"/cases/{world.case.pk}/plan").content.decode()
    assert "World Partner worker (Example Recovery)" in page
    assert ">w.partner_worker<" not in page


def test_tables_show_labels_not_codes(world: World) -> None:
    _client(world, Role.PARTNER_WORKER).get(f"/people/{world.in_scope.pk}/")
    log = _client(world, Role.COORDINATOR).get(f"/people/{world.in_scope.pk}/access-log").content.decode()
    assert "Partner worker" in log and ">partner_worker<" not in log
    reference = _client(world, Role.POLICE_OFFICER).get("/reference/").content.decode()
    wounding = reference[reference.index("Wounding with intent") :][:300]
    assert "Violence with injury" in wounding and "violence_with_injury" not in wounding
