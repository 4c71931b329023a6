"""The panel and case services against a real database: rules enforced, links and grants made, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openiom.access.models import PersonAccessGrant, SchemePerson
from openiom.access.selectors import people_visible_to
from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cases import services
from openiom.cases.models import (
    Case,
    CaseStatus,
    PanelDecision,
    Plan,
    PlanStatus,
    PlanVersion,
    ReferralStatus,
    ServiceReferral,
)
from openiom.people.models import Person
from tests.access.world import World

pytestmark = pytest.mark.django_db
RATIONALE = "Eight proven neighbourhood offences this year; agreed by all agencies."


def _newcomer() -> Person:
    return Person.objects.get(source_id="P0001")


def test_a_decision_cannot_be_saved_without_a_rationale(world: World) -> None:
    coordinator = world.users[Role.COORDINATOR]
    with pytest.raises(services.CaseError) as error:
        services.panel_decide(
            user=coordinator, scheme=world.scheme, person=_newcomer(), decision="decline", rationale="no"
        )
    assert "rationale" in error.value.errors
    assert not Case.objects.filter(person=_newcomer()).exists()
    assert not PanelDecision.objects.exists()


def test_adoption_links_the_person_to_the_scheme_and_starts_plan_and_review(world: World) -> None:
    coordinator, person, today = world.users[Role.COORDINATOR], _newcomer(), timezone.localdate()
    SchemePerson.objects.filter(person=person).delete()
    case = services.panel_decide(
        user=coordinator,
        scheme=world.scheme,
        person=person,
        decision="adopt",
        rationale=RATIONALE,
        stream="flex",
        lead_agency=world.police,
        police_worker=world.users[Role.POLICE_OFFICER],
        start_date=today,
    )
    assert case.status == CaseStatus.ACTIVE and case.stream == "flex"
    assert SchemePerson.objects.filter(scheme=world.scheme, person=person).exists()
    assert Plan.objects.get(case=case).versions.count() == 1
    assert case.reviews.get().due_date == today + services.FIRST_REVIEW_AFTER
    assert AuditEvent.objects.filter(action="panel.adopt", object_id=str(case.pk)).exists()
    assert case.decisions.get().rationale == RATIONALE


def test_mappa_cases_need_an_explicit_override_to_be_adopted(world: World) -> None:
    police, coordinator, person = world.users[Role.POLICE_OFFICER], world.users[Role.COORDINATOR], _newcomer()
    services.panel_refer(user=police, scheme=world.scheme, person=person, reason=RATIONALE, mappa_level=2)
    kwargs = {
        "user": coordinator,
        "scheme": world.scheme,
        "person": person,
        "decision": "adopt",
        "rationale": RATIONALE,
        "stream": "fixed",
        "lead_agency": world.police,
        "start_date": timezone.localdate(),
    }
    with pytest.raises(services.CaseError) as error:
        services.panel_decide(**kwargs)  # type: ignore[arg-type]
    assert set(error.value.errors) == {"mappa_override"}
    case = services.panel_decide(**kwargs, mappa_override="MAPPA chair agrees IOM adds the drug pathway")  # type: ignore[arg-type]
    assert case.status == CaseStatus.ACTIVE
    assert case.decisions.get(decision="adopt").mappa_override.startswith("MAPPA chair")


def test_deferral_then_adoption_keeps_the_full_history(world: World) -> None:
    coordinator, person = world.users[Role.COORDINATOR], _newcomer()
    services.panel_decide(
        user=coordinator, scheme=world.scheme, person=person, decision="defer", rationale=RATIONALE
    )
    case = services.panel_decide(
        user=coordinator,
        scheme=world.scheme,
        person=person,
        decision="adopt",
        rationale=RATIONALE,
        stream="free",
        lead_agency=world.probation,
        start_date=timezone.localdate(),
    )
    assert list(case.decisions.values_list("decision", flat=True)) == ["adopt", "defer"]
    services.case_exit(
        user=coordinator,
        case=case,
        version=case.version,
        reason="Two years without offending; stepped down",
        on=timezone.localdate(),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.EXITED and case.exit_reason.startswith("Two years")
    assert case.decisions.first().decision == "deselect"  # type: ignore[union-attr]


def _plan(world: World) -> Plan:
    assert world.case is not None
    return Plan.objects.get(case=world.case)


def test_a_plan_cannot_become_active_without_requirements_or_actions_for_needs(world: World) -> None:
    officer, case, plan = world.users[Role.PROBATION_PRACTITIONER], world.case, _plan(world)
    assert case is not None
    services.need_save(user=officer, case=case, version=case.version, pathway="accommodation", level="high")
    services.need_save(
        user=officer,
        case=case,
        version=case.version,
        pathway="ete",
        level="low",
        no_action_reason="In work",
    )
    with pytest.raises(services.CaseError) as error:
        services.plan_activate(user=officer, plan=plan, version=plan.version)
    # The requirement, the accommodation need, and an action for each of the three agencies involved.
    assert len(error.value.errors) == 5
    today = timezone.localdate()
    services.plan_add_requirement(
        user=officer,
        plan=plan,
        version=1,
        text="Attend housing appointments",
        how_checked="Housing officer confirms",
        due_date=today,
    )
    with pytest.raises(services.CaseError):
        services.plan_activate(user=officer, plan=plan, version=2)
    services.plan_add_action(
        user=officer,
        plan=plan,
        version=2,
        text="Find a tenancy",
        owner_agency=world.partner,
        due_date=today,
        pathway="accommodation",
    )
    for version, agency in ((3, world.police), (4, world.probation)):
        services.plan_add_action(
            user=officer, plan=plan, version=version, text="Joint visit", owner_agency=agency, due_date=today
        )
    services.plan_activate(user=officer, plan=plan, version=5)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.version == 6
    numbers = list(PlanVersion.objects.filter(plan=plan).values_list("number", "status"))
    assert numbers == [(6, "active"), (5, "draft"), (4, "draft"), (3, "draft"), (2, "draft")]


def test_a_domestic_abuse_plan_needs_a_victim_safety_action(world: World) -> None:
    officer, case, plan, today = (
        world.users[Role.POLICE_OFFICER],
        world.case,
        _plan(world),
        timezone.localdate(),
    )
    assert case is not None
    services.case_risk_update(user=officer, case=case, version=case.version, domestic_abuse=True)
    services.plan_add_requirement(
        user=officer,
        plan=plan,
        version=1,
        text="No contact with the victim",
        how_checked="Police check with the victim weekly",
        due_date=today,
    )
    with pytest.raises(services.CaseError) as error:
        services.plan_activate(user=officer, plan=plan, version=2)
    assert "victim-safety" in " ".join(error.value.errors.values())
    services.plan_add_action(
        user=officer,
        plan=plan,
        version=2,
        text="Safety plan with the IDVA",
        owner_agency=world.police,
        due_date=today,
        victim_safety=True,
    )
    for version, agency in ((3, world.probation), (4, world.partner)):
        services.plan_add_action(
            user=officer, plan=plan, version=version, text="Joint visit", owner_agency=agency, due_date=today
        )
    services.plan_activate(user=officer, plan=plan, version=5)


def test_two_saves_from_the_same_version_conflict_instead_of_overwriting(world: World) -> None:
    police, probation, case = (
        world.users[Role.POLICE_OFFICER],
        world.users[Role.PROBATION_PRACTITIONER],
        world.case,
    )
    assert case is not None
    opened = case.version
    services.case_risk_update(
        user=police, case=case, version=opened, risk_level="high", risk_review_date=timezone.localdate()
    )
    with pytest.raises(services.Conflict) as conflict:
        services.case_risk_update(
            user=probation, case=case, version=opened, risk_level="low", risk_review_date=timezone.localdate()
        )
    assert conflict.value.current.risk_level == "high"
    assert Case.objects.get(pk=case.pk).risk_level == "high"
    plan = _plan(world)
    how = "Confirmed by the service"
    first, second = "Attend the recovery hub weekly", "Attend the job centre weekly"
    services.plan_add_requirement(
        user=police, plan=plan, version=1, text=first, how_checked=how, due_date=timezone.localdate()
    )
    with pytest.raises(services.Conflict):
        services.plan_add_requirement(
            user=probation, plan=plan, version=1, text=second, how_checked=how, due_date=timezone.localdate()
        )
    assert list(plan.requirements.values_list("text", flat=True)) == [first]


def test_a_referral_grants_only_the_fields_it_needs_and_closing_revokes_them(world: World) -> None:
    probation, partner_user, case = (
        world.users[Role.PROBATION_PRACTITIONER],
        world.users[Role.PARTNER_WORKER],
        world.case,
    )
    assert case is not None
    PersonAccessGrant.objects.all().delete()
    assert not people_visible_to(partner_user, "person.view").filter(pk=case.person_id).exists()
    referral = services.referral_send(
        user=probation, case=case, service="substance_misuse", agency=world.partner, reason="Daily heroin use"
    )
    assert referral.grant is not None
    assert sorted(referral.grant.field_groups) == ["health", "identity"]
    assert people_visible_to(partner_user, "person.view").filter(pk=case.person_id).exists()
    assert _plan(world).actions.filter(pathway="drugs_alcohol").exists()  # the referral is an agency action
    today = timezone.localdate()
    with pytest.raises(services.CaseError):
        services.referral_update(
            user=partner_user, referral=referral, version=1, status="completed", on=today
        )
    services.referral_update(user=partner_user, referral=referral, version=1, status="accepted", on=today)
    services.referral_update(user=partner_user, referral=referral, version=2, status="started", on=today)
    with pytest.raises(services.Conflict):
        services.referral_update(
            user=partner_user, referral=referral, version=2, status="completed", on=today, outcome="engaged"
        )
    services.referral_update(
        user=partner_user,
        referral=referral,
        version=3,
        status="completed",
        on=today,
        outcome="treatment_completed",
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED and referral.closed_on == today
    assert referral.grant is not None and referral.grant.revoked_at is not None
    assert not people_visible_to(partner_user, "person.view").filter(pk=case.person_id).exists()


def test_declining_a_referral_needs_a_reason(world: World) -> None:
    partner_user, referral = world.users[Role.PARTNER_WORKER], world.referral
    assert referral is not None
    with pytest.raises(services.CaseError) as error:
        services.referral_update(
            user=partner_user, referral=referral, version=1, status="declined", on=timezone.localdate()
        )
    assert "reason" in error.value.errors
    assert ServiceReferral.objects.get(pk=referral.pk).status == ReferralStatus.SENT


def test_reviews_and_contacts_are_recorded_on_the_timeline(world: World) -> None:
    officer, case, today = world.users[Role.POLICE_OFFICER], world.case, timezone.localdate()
    assert case is not None
    services.contact_record(
        user=officer, case=case, contact_type="home_visit", agency=world.police, on=today, outcome="missed"
    )
    with pytest.raises(services.CaseError):
        services.review_complete(user=officer, case=case, notes="Fine", next_due=today)
    services.review_complete(
        user=officer, case=case, notes="Engaging well", next_due=today + timedelta(days=30)
    )
    assert case.reviews.filter(completed_on__isnull=True).get().due_date == today + timedelta(days=30)
    assert set(case.events.values_list("kind", flat=True)) == {"contact", "review"}
    with pytest.raises(services.CaseError):
        services.contact_record(
            user=officer,
            case=case,
            contact_type="carrier_pigeon",
            agency=world.police,
            on=today,
            outcome="attended",
        )
