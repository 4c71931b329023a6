"""The demo area's live scheme: cases in every state, built through the services (so audited)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction

from openiom.access.models import AgencyKind, Scheme
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.cases import services
from openiom.cases.models import Case, Plan
from openiom.cohorts.models import Candidate, CohortRun
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
                on=as_of,
                reason=reason,
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


DEMO_DEFINITION = "demo-three-proven-in-12-months"
DEMO_ADOPTIONS = 200


def _read_list(path: Path, date_column: str) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row.get("source_id") and row.get(date_column)]


@transaction.atomic
def demo_performance_build(
    *, scheme: Scheme, managed: Path, comparison: Path, source_system: str, limit: int = DEMO_ADOPTIONS
) -> int:
    """Cases adopted over the last two years from the synthetic area's planted scheme
    (openiom.synth.iom_effect), with the saved cohort runs that picked them and the comparison group,
    so the Performance pages have a known effect to show. Idempotent; returns the cases adopted."""
    if CohortRun.objects.filter(definition_id=DEMO_DEFINITION).exists():
        return 0
    users = {u.role: u for u in User.objects.filter(username__startswith="demo.")}
    coordinator = users[Role.COORDINATOR]
    police_agency = scheme.agencies.get(kind=AgencyKind.POLICE)
    adopted = _read_list(managed, "adoption_date")[:limit]
    others = _read_list(comparison, "qualified_on")
    people = {
        p.source_id: p
        for p in Person.objects.filter(
            source_system=source_system,
            source_id__in=[r["source_id"] for r in adopted] + [r["source_id"] for r in others],
        )
    }
    runs: dict[str, CohortRun] = {}

    def candidate(source_id: str, on: str) -> Candidate | None:
        person = people.get(source_id)
        if person is None:
            return None
        if on not in runs:
            runs[on] = CohortRun.objects.create(
                run_id=f"demo-{on}",
                definition_id=DEMO_DEFINITION,
                definition_version="1",
                definition_title="Demo: three or more proven offences in 12 months",
                definition_source="Synthetic scheme (openiom.synth.iom_effect)",
                definition_sha256="0" * 64,
                as_of=date.fromisoformat(on),
                engine="duckdb",
                snapshot_id="demo",
            )
        return Candidate.objects.create(
            run=runs[on], person=person, summary="Three or more proven offences in the 12 months before"
        )

    for row in others:
        candidate(row["source_id"], row["qualified_on"])
    count = 0
    for row in adopted:
        picked = candidate(row["source_id"], row["adoption_date"])
        if picked is None or Case.objects.filter(scheme=scheme, person=picked.person).exists():
            continue
        services.panel_decide(
            user=coordinator,
            scheme=scheme,
            person=picked.person,
            decision="adopt",
            rationale="Demo: three or more proven offences in the 12 months before the panel.",
            stream=row.get("stream") or "fixed",
            lead_agency=police_agency,
            police_worker=users[Role.POLICE_OFFICER],
            probation_worker=users[Role.PROBATION_PRACTITIONER],
            start_date=date.fromisoformat(row["adoption_date"]),
            candidate=picked,
        )
        count += 1
    return count
