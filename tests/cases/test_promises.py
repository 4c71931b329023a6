"""Issue 14's promises enforced by the services against a real database: the plan gate, dates,
closed cases, owners and referral outcomes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cases import services
from openiom.cases.models import Case, CaseStatus, Plan, PlanStatus, ReferralStatus
from tests.access.world import World

pytestmark = pytest.mark.django_db
WHAT = "Attend weekly housing appointments at the council"
HOW = "The housing officer confirms attendance"


def _plan(world: World) -> Plan:
    return Plan.objects.get(case=world.case)


def test_a_one_word_requirement_is_refused_with_a_clear_message(world: World) -> None:
    officer, plan, today = world.users[Role.PROBATION_PRACTITIONER], _plan(world), timezone.localdate()
    with pytest.raises(services.CaseError) as error:
        services.plan_add_requirement(user=officer, plan=plan, version=1, text="Attend", due_date=today)
    assert set(error.value.errors) == {"text", "how_checked"}
    assert not plan.requirements.exists()


def test_the_plan_goes_live_only_with_an_action_from_each_agency_involved(world: World) -> None:
    officer, plan, today = world.users[Role.PROBATION_PRACTITIONER], _plan(world), timezone.localdate()
    services.plan_add_requirement(
        user=officer, plan=plan, version=1, text=WHAT, how_checked=HOW, due_date=today
    )
    services.plan_add_action(
        user=officer,
        plan=plan,
        version=2,
        text="Weekly supervision",
        owner_agency=world.probation,
        due_date=today,
    )
    with pytest.raises(services.CaseError) as error:
        services.plan_activate(user=officer, plan=plan, version=3)
    found = " ".join(error.value.errors.values())
    # The police key worker's agency and the partner with the open housing referral own nothing yet.
    assert "Example Police" in found and "Example Recovery" in found and "Example Probation" not in found
    for version, agency in ((3, world.police), (4, world.partner)):
        services.plan_add_action(
            user=officer, plan=plan, version=version, text="Agency work", owner_agency=agency, due_date=today
        )
    services.plan_activate(user=officer, plan=plan, version=5)
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.ACTIVE


def test_requirements_are_edited_and_withdrawn_as_new_plan_versions(world: World) -> None:
    officer, plan, today = world.users[Role.PROBATION_PRACTITIONER], _plan(world), timezone.localdate()
    services.plan_add_requirement(
        user=officer, plan=plan, version=1, text=WHAT, how_checked=HOW, due_date=today
    )
    requirement = plan.requirements.get()
    with pytest.raises(services.CaseError):
        services.plan_edit_requirement(
            user=officer,
            plan=plan,
            version=2,
            requirement_id=requirement.pk,
            text="Go",
            how_checked=HOW,
            due_date=today,
        )
    services.plan_edit_requirement(
        user=officer,
        plan=plan,
        version=2,
        requirement_id=requirement.pk,
        text=WHAT + " every Monday",
        how_checked=HOW,
        due_date=today + timedelta(days=7),
    )
    services.plan_withdraw_requirement(user=officer, plan=plan, version=3, requirement_id=requirement.pk)
    versions = list(plan.versions.order_by("number"))
    assert [v.snapshot["requirements"][0]["text"] for v in versions] == [
        WHAT,
        WHAT + " every Monday",
        WHAT + " every Monday",
    ]
    assert versions[-1].snapshot["requirements"][0]["withdrawn"] is True
    assert "withdrawn" in versions[-1].change


def test_dates_that_make_no_sense_are_refused_naming_the_field(world: World) -> None:
    officer, case, plan, today = (
        world.users[Role.POLICE_OFFICER],
        world.case,
        _plan(world),
        timezone.localdate(),
    )
    assert case is not None
    with pytest.raises(services.CaseError) as error:
        services.contact_record(
            user=officer,
            case=case,
            contact_type="home_visit",
            agency=world.police,
            on=today + timedelta(days=1),
            outcome="attended",
        )
    assert set(error.value.errors) == {"on"}
    with pytest.raises(services.CaseError) as error:
        services.plan_add_requirement(
            user=officer, plan=plan, version=1, text=WHAT, how_checked=HOW, due_date=today - timedelta(days=1)
        )
    assert set(error.value.errors) == {"due_date"}
    partner, referral = world.users[Role.PARTNER_WORKER], world.referral
    assert referral is not None
    with pytest.raises(services.CaseError) as error:
        services.referral_update(
            user=partner, referral=referral, version=1, status="accepted", on=today - timedelta(days=3)
        )
    assert "before the referral was sent" in error.value.errors["on"]
    with pytest.raises(services.CaseError) as error:
        services.referral_update(
            user=partner, referral=referral, version=1, status="accepted", on=today + timedelta(days=1)
        )
    assert set(error.value.errors) == {"on"}


def test_a_closed_case_is_read_only_until_a_coordinator_reopens_it_with_a_reason(world: World) -> None:
    coordinator, officer, case = world.users[Role.COORDINATOR], world.users[Role.POLICE_OFFICER], world.case
    assert case is not None
    services.case_exit(
        user=coordinator,
        case=case,
        version=case.version,
        reason="Stepped down after two years",
        on=timezone.localdate(),
    )
    case.refresh_from_db()
    with pytest.raises(services.CaseError):
        services.case_risk_update(user=officer, case=case, version=case.version, gang=True)
    with pytest.raises(services.CaseError):
        services.contact_record(
            user=officer,
            case=case,
            contact_type="home_visit",
            agency=world.police,
            on=timezone.localdate(),
            outcome="missed",
        )
    with pytest.raises(services.CaseError):
        services.case_reopen(user=coordinator, case=case, version=case.version, reason="Again")
    services.case_reopen(
        user=coordinator, case=case, version=case.version, reason="Arrested for two burglaries; panel agreed"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE and case.exit_date is None
    assert AuditEvent.objects.filter(action="case.reopen", object_id=str(case.pk)).exists()
    services.case_risk_update(user=officer, case=case, version=case.version, gang=True)
    assert Case.objects.get(pk=case.pk).gang


def test_an_action_owner_must_work_for_the_owning_agency(world: World) -> None:
    officer, plan, today = world.users[Role.PROBATION_PRACTITIONER], _plan(world), timezone.localdate()
    with pytest.raises(services.CaseError) as error:
        services.plan_add_action(
            user=officer,
            plan=plan,
            version=1,
            text="Find a tenancy",
            owner_agency=world.partner,
            owner_worker=world.users[Role.POLICE_OFFICER],
            due_date=today,
        )
    assert set(error.value.errors) == {"owner_worker"}
    services.plan_add_action(
        user=officer,
        plan=plan,
        version=1,
        text="Find a tenancy",
        owner_agency=world.partner,
        owner_worker=world.users[Role.PARTNER_WORKER],
        due_date=today,
    )


def test_need_met_is_the_outcome_the_partner_records(world: World) -> None:
    partner, referral, today = world.users[Role.PARTNER_WORKER], world.referral, timezone.localdate()
    assert referral is not None
    services.referral_update(user=partner, referral=referral, version=1, status="accepted", on=today)
    services.referral_update(user=partner, referral=referral, version=2, status="started", on=today)
    with pytest.raises(services.CaseError) as error:
        services.referral_update(user=partner, referral=referral, version=3, status="completed", on=today)
    assert set(error.value.errors) == {"outcome"}
    services.referral_update(
        user=partner, referral=referral, version=3, status="completed", on=today, outcome="completed_not_met"
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED and referral.outcome == "completed_not_met"
