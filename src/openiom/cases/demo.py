"""The demo area's live scheme: cases in every state, built through the services (so audited)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from openiom.access.models import AgencyKind, Scheme
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.cases import services
from openiom.cases.models import Case, Plan
from openiom.people.models import Person

RATIONALE = "Demo: persistent neighbourhood offending, agreed by police, probation and partners."
DEMO_CASES = 17  # seven managed, four awaiting the panel, two deferred, two declined, two exited
REFERRAL_STEPS = {
    "sent": [],
    "accepted": ["accepted"],
    "started": ["accepted", "started"],
    "completed": ["accepted", "started", "completed"],
    "disengaged": ["accepted", "started", "disengaged"],
    "declined": ["declined"],
    "no_provision": ["no_provision"],
}


# What the partner records when a demo referral closes.
DEMO_OUTCOMES = {
    "completed": "treatment_completed",
    "disengaged": "disengaged",
    "declined": "declined",
    "no_provision": "no_provision",
}


@transaction.atomic
def demo_cases_build(*, scheme: Scheme, as_of: date) -> int:
    """Adopt, defer, decline, refer and exit demo people so every case state can be seen. Idempotent."""
    if Case.objects.filter(scheme=scheme).exists():
        return 0
    users = {u.role: u for u in User.objects.filter(username__startswith="demo.")}
    coordinator, police, probation = (
        users[Role.COORDINATOR],
        users[Role.POLICE_OFFICER],
        users[Role.PROBATION_PRACTITIONER],
    )
    partner = users.get(Role.PARTNER_WORKER)
    police_agency = scheme.agencies.get(kind=AgencyKind.POLICE)
    partner_agency = scheme.agencies.filter(kind=AgencyKind.PARTNER).first()
    # The scheme's people first, then others whose records the police hold (adopting links them).
    people = list(Person.objects.filter(schemes__scheme=scheme).order_by("id")[:DEMO_CASES])
    people += list(
        Person.objects.filter(source_system__in=police_agency.source_systems)
        .exclude(pk__in=[p.pk for p in people])
        .order_by("id")[: DEMO_CASES - len(people)]
    )
    if len(people) < DEMO_CASES or partner_agency is None:
        return 0
    start = as_of - timedelta(days=120)

    def adopt(person: Person, stream: str) -> Case:
        return services.panel_decide(
            user=coordinator,
            scheme=scheme,
            person=person,
            decision="adopt",
            rationale=RATIONALE,
            stream=stream,
            lead_agency=police_agency,
            police_worker=police,
            probation_worker=probation,
            start_date=start,
        )

    # Managed cases, one per referral outcome, with needs, plans and contacts.
    for n, steps in enumerate(REFERRAL_STEPS.values()):
        case = adopt(people[n], ["fixed", "flex", "free"][n % 3])
        services.case_risk_update(
            user=probation,
            case=case,
            version=case.version,
            risk_level=["low", "medium", "high", "very_high"][n % 4],
            risk_review_date=as_of + timedelta(days=7 * n - 14),
            domestic_abuse=n % 3 == 0,
            mappa_level=0,
        )
        services.need_save(
            user=probation,
            case=case,
            version=case.version,
            pathway="accommodation",
            level="high",
            notes="Sofa-surfing since release",
        )
        services.need_save(
            user=probation,
            case=case,
            version=case.version,
            pathway="ete",
            level="medium",
            no_action_reason="Will be picked up at the next review",
        )
        plan = Plan.objects.get(case=case)
        services.plan_add_requirement(
            user=probation,
            plan=plan,
            version=plan.version,
            text="Attend every housing appointment",
            how_checked="The housing officer confirms attendance to the key worker",
            due_date=as_of + timedelta(days=30),
        )
        plan.refresh_from_db()
        referral = services.referral_send(
            user=probation,
            case=case,
            service="housing",
            agency=partner_agency,
            reason="Needs settled accommodation",
        )
        for step in steps:
            reason = "" if step in ("accepted", "started", "completed") else "Demo outcome"
            referral = services.referral_update(
                user=partner or probation,
                referral=referral,
                version=referral.version,
                status=step,
                on=max(as_of, referral.sent_on),
                reason=reason,
                outcome=DEMO_OUTCOMES.get(step, ""),
            )
        plan.refresh_from_db()
        if case.domestic_abuse:
            services.plan_add_action(
                user=police,
                plan=plan,
                version=plan.version,
                text="Victim safety plan with the IDVA",
                owner_agency=police_agency,
                due_date=as_of + timedelta(days=14),
                victim_safety=True,
            )
            plan.refresh_from_db()
        if n % 2 == 0:
            # The plan gate wants an action from each key worker's agency.
            for owner in (police, probation):
                assert owner.agency is not None
                services.plan_add_action(
                    user=owner,
                    plan=plan,
                    version=plan.version,
                    text="Joint home visit every fortnight",
                    owner_agency=owner.agency,
                    owner_worker=owner,
                    due_date=as_of + timedelta(days=14),
                )
                plan.refresh_from_db()
            services.plan_activate(user=probation, plan=plan, version=plan.version)
        for day in range(0, 90, 15):
            services.contact_record(
                user=police,
                case=case,
                contact_type="home_visit",
                agency=police_agency,
                on=as_of - timedelta(days=day),
                outcome="missed" if (day + n) % 4 == 0 else "attended",
            )
    # Waiting for the panel, deferred, declined, flagged MAPPA, and exited.
    for person in people[7:10]:
        services.panel_refer(
            user=police, scheme=scheme, person=person, reason="Demo: five burglaries in three months"
        )
    services.panel_refer(
        user=probation,
        scheme=scheme,
        person=people[10],
        mappa_level=2,
        reason="Demo: released on licence, MAPPA level 2, prolific acquisitive offending",
    )
    for person in people[11:13]:
        services.panel_decide(
            user=coordinator,
            scheme=scheme,
            person=person,
            decision="defer",
            rationale="Demo: wait for the outcome of the current court case",
        )
    for person in people[13:15]:
        services.panel_decide(
            user=coordinator,
            scheme=scheme,
            person=person,
            decision="decline",
            rationale="Demo: offending has stopped; no longer meets the local criteria",
        )
    for person in people[15:17]:
        case = adopt(person, "free")
        services.case_exit(
            user=coordinator,
            case=case,
            version=case.version,
            on=as_of - timedelta(days=10),
            reason="Demo: twelve months without offending; stepped down to universal services",
        )
    return Case.objects.filter(scheme=scheme).count()
