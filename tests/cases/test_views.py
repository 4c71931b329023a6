"""The panel and case pages through the real middleware: permissions, scope, errors, conflicts, queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cases.models import Case, CaseStatus, Contact, Plan, ReferralStatus, Review, ServiceReferral
from openiom.people.models import Person
from tests.access.world import World

pytestmark = pytest.mark.django_db


def _client(world: World, role: Role) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_the_panel_refuses_a_decision_without_rationale_and_names_the_field(world: World) -> None:
    client = _client(world, Role.COORDINATOR)
    person = Person.objects.get(source_id="P0001")
    response = client.post(
        f"/cases/panel/{person.pk}/decide", {"version": 0, "decision": "adopt", "rationale": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Rationale: Write the rationale" in page
    assert "Cohort stream (if adopting): Choose the cohort stream" in page
    assert not Case.objects.filter(person=person).exists()
    response = client.post(
        f"/cases/panel/{person.pk}/decide",
        {
            "version": 0,
            "decision": "adopt",
            "rationale": "Prolific burglar, agreed by police and probation",
            "stream": "fixed",
            "lead_agency": world.police.pk,
            "police_worker": world.users[Role.POLICE_OFFICER].pk,
            "start_date": timezone.localdate().isoformat(),
        },
    )
    case = Case.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    history = client.get(f"/cases/panel/{person.pk}/").content.decode()
    assert "Prolific burglar, agreed by police and probation" in history


def test_police_and_probation_may_refer_but_not_decide(world: World) -> None:
    person = Person.objects.get(source_id="P0001")
    police = _client(world, Role.POLICE_OFFICER)
    assert police.get(f"/cases/panel/{person.pk}/decide").status_code == 403
    response = police.post(
        f"/cases/panel/{person.pk}/refer", {"reason": "Ten shop thefts since release", "mappa_level": "1"}
    )
    assert response.status_code == 302
    assert Case.objects.get(person=person).status == CaseStatus.REFERRED
    panel = _client(world, Role.COORDINATOR).get("/cases/panel/").content.decode()
    assert "Ten shop thefts since release" in panel and "MAPPA level 1" in panel


def test_the_second_of_two_saves_gets_a_conflict_page_with_both_versions(world: World) -> None:
    assert world.case is not None
    url, version = f"/cases/{world.case.pk}/risk", world.case.version
    base = {"version": version, "mappa_level": "0", "risk_review_date": "2030-01-01"}
    first = _client(world, Role.POLICE_OFFICER).post(
        url, {**base, "risk_level": "very_high", "weapons": "on"}
    )
    assert first.status_code == 302
    second = _client(world, Role.PROBATION_PRACTITIONER).post(url, {**base, "risk_level": "low"})
    page = second.content.decode()
    assert second.status_code == 409
    assert "Someone else saved this first" in page
    assert "Very high" in page and "Low" in page
    assert Case.objects.get(pk=world.case.pk).risk_level == "very_high"


def test_plan_activation_errors_are_shown_and_nothing_changes(world: World) -> None:
    assert world.case is not None
    client = _client(world, Role.PROBATION_PRACTITIONER)
    response = client.post(f"/cases/{world.case.pk}/plan/activate", {"version": 1})
    assert response.status_code == 200
    assert "Add at least one requirement" in response.content.decode()
    assert Plan.objects.get(case=world.case).status == "draft"


def test_health_needs_are_hidden_until_opened_with_a_purpose(world: World) -> None:
    assert world.case is not None
    client = _client(world, Role.PROBATION_PRACTITIONER)
    need_url = f"/cases/{world.case.pk}/needs/drugs_alcohol"
    assert client.get(need_url).status_code == 302
    client.post(f"/cases/{world.case.pk}/restricted/health", {"purpose": "Planning a treatment referral"})
    assert client.get(need_url).status_code == 200
    client.post(
        need_url,
        {
            "version": Case.objects.get(pk=world.case.pk).version,
            "level": "high",
            "notes": "Crack cocaine daily",
        },
    )
    assert "Crack cocaine daily" in client.get(f"/cases/{world.case.pk}/").content.decode()
    other = _client(world, Role.COORDINATOR).get(f"/cases/{world.case.pk}/").content.decode()
    assert "Crack cocaine daily" not in other
    opened = AuditEvent.objects.get(action="restricted.health")
    assert opened.purpose == "Planning a treatment referral"


def test_partner_updates_only_their_referrals_from_their_own_view(world: World) -> None:
    assert world.case is not None and world.referral is not None and world.other_referral is not None
    partner = _client(world, Role.PARTNER_WORKER)
    assert partner.get(f"/cases/{world.case.pk}/").status_code == 403
    listing = partner.get("/cases/referrals/").content.decode()
    assert "TESTWORTH, Casey" in listing and "ELSEWHERE" not in listing
    assert partner.get(f"/cases/referrals/{world.other_referral.pk}/").status_code == 404
    url = f"/cases/referrals/{world.referral.pk}/"
    bad = partner.post(url, {"version": 1, "status": "completed", "on": timezone.localdate().isoformat()})
    assert bad.status_code == 200 and "cannot become" in bad.content.decode()
    ok = partner.post(url, {"version": 1, "status": "accepted", "on": timezone.localdate().isoformat()})
    assert ok.status_code == 302
    world.referral.refresh_from_db()
    assert world.referral.status == ReferralStatus.ACCEPTED
    assert _client(world, Role.POLICE_OFFICER).get(url).status_code == 403


def _grow(world: World, cases: int, contacts: int) -> Case:
    """Add managed cases (each with contacts, a review and a referral) to the in-scope scheme."""
    today = timezone.localdate()
    start = Person.objects.filter(family_name="LOADTEST").count()
    people = Person.objects.bulk_create(
        Person(
            source_system="EXAMPLE",
            source_id=f"Q{n:05d}",
            family_name="LOADTEST",
            given_names=f"Case {n}",
            date_of_birth=date(1990, 1, 1),
            sex="M",
        )
        for n in range(start, start + cases)
    )
    created = Case.objects.bulk_create(
        Case(
            scheme=world.scheme,
            person=p,
            status=CaseStatus.ACTIVE,
            stream="fixed",
            lead_agency=world.police,
            police_worker=world.users[Role.POLICE_OFFICER],
            start_date=today,
            risk_level="high",
            risk_review_date=today + timedelta(days=5),
        )
        for p in people
    )
    for case in created:
        Plan.objects.create(case=case)
        Review.objects.create(case=case, due_date=today - timedelta(days=3))
        Contact.objects.bulk_create(
            Contact(
                case=case,
                contact_type="home_visit",
                agency=world.police,
                on=today - timedelta(days=i),
                outcome="missed" if i % 3 else "attended",
            )
            for i in range(contacts)
        )
    return created[0]


def _queries(client: Client, url: str) -> int:
    # The first request of a session also refreshes the session row; measure a later one.
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_caseload_runs_a_constant_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    client = _client(world, Role.POLICE_OFFICER)
    _grow(world, cases=3, contacts=2)
    small = _queries(client, "/cases/")
    _grow(world, cases=40, contacts=5)
    with django_assert_num_queries(small):
        page = client.get("/cases/")
    assert page.content.decode().count("Review overdue") == 43


def test_the_case_page_runs_a_constant_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    client = _client(world, Role.PROBATION_PRACTITIONER)
    small_case = _grow(world, cases=1, contacts=2)
    small = _queries(client, f"/cases/{small_case.pk}/")
    big_case = _grow(world, cases=1, contacts=60)
    for n in range(5):
        Review.objects.create(
            case=big_case, due_date=timezone.localdate() + timedelta(days=n), completed_on=None
        )
    with django_assert_num_queries(small):
        client.get(f"/cases/{big_case.pk}/")
    assert _queries(client, f"/cases/{big_case.pk}/plan") == _queries(client, f"/cases/{small_case.pk}/plan")


def _refer(world: World, count: int) -> None:
    """Refer `count` more people to the in-scope scheme's panel, each with two referrals."""
    from openiom.cases import services

    officer = world.users[Role.POLICE_OFFICER]
    start = Person.objects.filter(family_name="PANELQUEUE").count()
    for n in range(start, start + count):
        person = Person.objects.create(
            source_system="EXAMPLE",
            source_id=f"R{n:05d}",
            family_name="PANELQUEUE",
            given_names=f"Referral {n}",
            date_of_birth=date(1990, 1, 1),
            sex="M",
        )
        for reason in ("First referral from neighbourhood policing", f"Latest referral number {n}"):
            services.panel_refer(user=officer, scheme=world.scheme, person=person, reason=reason)


def test_the_attention_counts_leave_out_what_no_longer_needs_attention(world: World) -> None:
    """Completed reviews, missed appointments older than the window, referrals already answered and
    cases out of scope are not counted; the next review is the earliest still open."""
    from openiom.cases import selectors

    today = timezone.localdate()
    officer = world.users[Role.POLICE_OFFICER]
    case = _grow(world, cases=1, contacts=0)
    Review.objects.filter(case=case).delete()
    Review.objects.create(case=case, due_date=today - timedelta(days=30), completed_on=today)
    Review.objects.create(case=case, due_date=today + timedelta(days=20))
    Review.objects.create(case=case, due_date=today + timedelta(days=10))
    for days_ago in (selectors.MISSED_WINDOW.days + 10, 5, 4):
        Contact.objects.create(
            case=case,
            contact_type="office",
            agency=world.police,
            on=today - timedelta(days=days_ago),
            outcome="missed",
        )
    Contact.objects.create(
        case=case, contact_type="office", agency=world.police, on=today, outcome="attended"
    )
    for status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED):
        ServiceReferral.objects.create(
            case=case,
            service="housing",
            pathway="accommodation",
            agency=world.partner,
            reason="x",
            sent_on=today,
            status=status,
        )
    entries = {e.case_id: e for e in selectors.caseload(user=officer)}
    assert world.other_case.pk not in entries  # another scheme's case, with a referral waiting
    entry = entries[case.pk]
    flags = entry.attention
    assert (flags.overdue_reviews, flags.referrals_waiting, flags.missed_appointments) == (0, 1, 2)
    assert entry.next_review == today + timedelta(days=10)
    assert entry.police_worker == (officer.get_full_name() or officer.username)
    assert entry.probation_worker == ""


def test_the_panel_queue_runs_a_constant_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    client = _client(world, Role.COORDINATOR)
    _refer(world, 2)
    small = _queries(client, "/cases/panel/")
    _refer(world, 15)
    with django_assert_num_queries(small):
        page = client.get("/cases/panel/").content.decode()
    # Each person shows the reason of their latest referral, not the first.
    assert page.count("Latest referral number") == 17
    assert "First referral from neighbourhood policing" not in page


def test_the_caseload_leads_with_what_needs_attention_and_filters(world: World) -> None:
    """Three cases: one needing three kinds of attention, one needing one, one needing none."""
    today = timezone.localdate()
    officer = world.users[Role.POLICE_OFFICER]
    calm, busy, some = (_grow(world, cases=1, contacts=0) for _ in range(3))
    Review.objects.filter(case__in=[calm, busy, some]).delete()
    Case.objects.filter(pk=calm.pk).update(risk_review_date=today + timedelta(days=60), stream="flex")
    Case.objects.filter(pk=some.pk).update(risk_review_date=today + timedelta(days=60), police_worker=None)
    Review.objects.create(case=some, due_date=today - timedelta(days=1))
    Review.objects.create(case=calm, due_date=today + timedelta(days=9))
    Review.objects.create(case=busy, due_date=today - timedelta(days=2))
    Contact.objects.create(
        case=busy, contact_type="office", agency=world.police, on=today - timedelta(days=3), outcome="missed"
    )
    ServiceReferral.objects.create(
        case=busy, service="housing", pathway="accommodation", agency=world.partner, reason="x", sent_on=today
    )
    from openiom.cases import selectors

    ours = {calm.pk, busy.pk, some.pk}

    def order(**kwargs: Any) -> list[int]:
        return [e.case_id for e in selectors.caseload(user=officer, **kwargs) if e.case_id in ours]

    assert order() == [busy.pk, some.pk, calm.pk]
    busy_entry = next(e for e in selectors.caseload(user=officer) if e.case_id == busy.pk)
    assert busy_entry.attention.score == 4
    assert (busy_entry.attention.overdue_reviews, busy_entry.attention.missed_appointments) == (1, 1)
    assert order(attention_only=True) == [busy.pk, some.pk]
    assert order(stream="flex") == [calm.pk]
    assert order(mine=True) == [busy.pk, calm.pk]
    assert order(sort="review") == [busy.pk, some.pk, calm.pk]
    page = _client(world, Role.POLICE_OFFICER).get("/cases/?attention=1").content.decode()
    assert "1 missed appointment" in page and "1 referral waiting" in page
