"""The demo area's workforce: training records (one course about to lapse, one lapsed) and typed
plan actions, one of them police-owned welfare work, so the Workforce page has something to show."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from openiom import vocabulary as v
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.cases import services as cases
from openiom.cases.models import Case, CaseStatus, Plan, PlanAction
from openiom.workforce import rules, services
from openiom.workforce.models import Course

# (role, course, months before as_of it was completed, days added): the police officer's
# domestic-abuse course (24 months) lapses within the next 60 days, their safeguarding-children one
# has lapsed; the probation practitioner holds everything the demo cases need.
TRAINING = (
    (Role.POLICE_OFFICER, "iom_induction", 14, 0),
    (Role.POLICE_OFFICER, "domestic_abuse_perpetrator", 23, -20),
    (Role.POLICE_OFFICER, "safeguarding_children", 40, 0),
    (Role.PROBATION_PRACTITIONER, "iom_induction", 30, 0),
    (Role.PROBATION_PRACTITIONER, "domestic_abuse_perpetrator", 6, 0),
    (Role.PROBATION_PRACTITIONER, "safeguarding_children", 10, 0),
    (Role.PROBATION_PRACTITIONER, "safeguarding_adults", 10, 0),
    (Role.PROBATION_PRACTITIONER, "mappa_awareness", 18, 0),
    (Role.COORDINATOR, "iom_induction", 20, 0),
    (Role.COORDINATOR, "trauma_informed", 8, 0),
)
# The plan action type each demo need's actions are.
ACTION_TYPES = {
    v.ACCOMMODATION: "accommodation",
    v.ETE: "employment",
    v.DRUGS_ALCOHOL: "treatment",
    v.HEALTH: "treatment",
    v.FINANCE: "welfare",
    v.FAMILIES: "family",
}


@transaction.atomic
def demo_training_build(*, as_of: date) -> int:
    """Training records for the demo users; run before cases are allocated. Idempotent."""
    users = {u.role: u for u in User.objects.filter(username__startswith="demo.")}
    coordinator = users[Role.COORDINATOR]
    courses = {c.code: c for c in Course.objects.all()}
    for role, code, months, days in TRAINING:
        completed = rules.add_months(as_of, -months) + timedelta(days=days)
        services.training_record_add(
            user=coordinator, worker=users[role], course=courses[code], completed_on=completed
        )
    return len(TRAINING)


@transaction.atomic
def demo_lanes_build(*, as_of: date) -> None:
    """Type the demo plans' actions, give one managed case a police-owned welfare action, and flag
    another for safeguarding children, which its police worker's lapsed course no longer covers (the
    coordinator is alerted, and the Workforce page lists the case)."""
    for pathway, action_type in ACTION_TYPES.items():
        PlanAction.objects.filter(pathway=pathway, action_type="").update(action_type=action_type)
    PlanAction.objects.filter(action_type="", text__startswith="Monthly joint home visit").update(
        action_type="supervision"
    )
    police = User.objects.get(username="demo.police")
    managed = list(Case.objects.filter(status=CaseStatus.ACTIVE, police_worker=police).order_by("id")[:2])
    if len(managed) < 2 or PlanAction.objects.filter(plan__case=managed[0], action_type="welfare"):
        return
    case, flagged = managed
    cases.case_risk_update(
        user=police,
        case=flagged,
        version=flagged.version,
        safeguarding_children=True,
        risk_level=flagged.risk_level,
        risk_review_date=flagged.risk_review_date,
    )
    plan = Plan.objects.get(case=case)
    assert police.agency is not None and case.start_date is not None
    cases.plan_add_action(
        user=police,
        plan=plan,
        version=plan.version,
        text="Help with the benefits claim and a food bank referral",
        owner_agency=police.agency,
        owner_worker=police,
        due_date=max(case.start_date, as_of) + timedelta(days=14),
        action_type="welfare",
    )
