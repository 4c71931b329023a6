"""The demo area's live scheme: cases in every state, built through the services (so audited), each
consistent with the person's own records.

Who reaches the panel comes from the records: the built-in definitions are run on the synthetic area
and their saved runs put candidates in front of the panel (demo_cohort_runs_build); agency referrals
and case details (domestic-abuse flag, risk, needs, the service each referral is to) are read from
the person's offending history and differ from case to case, so no two demo cases are clones.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction

from openiom.access.models import Agency, AgencyKind, Scheme
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.cases import services
from openiom.cases.models import Case, Plan
from openiom.cohorts.models import Candidate, CohortRun
from openiom.offending.models import OffendingEvent
from openiom.offending.selectors import offending_summary, timeline_for
from openiom.people.models import Person

DEMO_CASES = 17  # seven managed, four awaiting the panel, two deferred, two declined, two exited
# Built-in definitions the demo runs and saves for the panel: between them they select a panel-sized
# group on the synthetic area (the others select many more, or nobody, at 3,000 people).
DEMO_DEFINITIONS = (
    "persistent-six-convictions",
    "neighbourhood-crime-rfg",
    "top-10-percent-offences",
    "eight-arrests-last-year",
    "serial-domestic-abuse",
    "long-career-15-sanctions",
)
ADULT = 18
PANEL_CANDIDATES = 3  # at least this many of the definitions' candidates are left for the panel
REFERRAL_STEPS = {
    "sent": [],
    "accepted": ["accepted"],
    "started": ["accepted", "started"],
    "completed": ["accepted", "started", "completed"],
    "disengaged": ["accepted", "started", "disengaged"],
    "declined": ["declined"],
    "no_provision": ["no_provision"],
}


@dataclass(frozen=True)
class DemoNeed:
    """A need, the service that meets it, and the words each record uses about it."""

    pathway: str
    service: str
    notes: str
    referral_reason: str
    requirement: str
    action: str

    @property
    def how_checked(self) -> str:
        """How the requirement is checked: the requirement's own words after "checked"."""
        _what, _sep, how = self.requirement.partition("; checked ")
        return f"Checked {how}" if how else "The key worker checks it at each contact"


NEEDS: tuple[DemoNeed, ...] = (
    DemoNeed(
        "accommodation",
        "housing",
        "Sofa-surfing since release; no fixed address",
        "No settled address since release; needs a housing options assessment",
        "Attend the housing options assessment and every follow-up appointment; checked against the "
        "housing officer's attendance record",
        "Make the housing options referral and chase a decision",
    ),
    DemoNeed(
        "drugs_alcohol",
        "substance_misuse",
        "Daily heroin and crack use; offending funds it",
        "Class A use linked to acquisitive offending; needs a treatment assessment",
        "Attend the drug treatment assessment and give a drug test at each appointment; checked by the "
        "treatment service's attendance and test results",
        "Arrange the treatment assessment and share the results with the case team",
    ),
    DemoNeed(
        "ete",
        "employment",
        "Out of work for three years; wants a trade",
        "Wants work; needs help with a CV, a CSCS card and job search",
        "Attend the employment support induction and two sessions a month; checked by the adviser's "
        "session log",
        "Book the employment support induction",
    ),
    DemoNeed(
        "finance",
        "debt_advice",
        "Rent arrears and payday loans; benefits sanctioned",
        "Benefit sanction and rent arrears putting the tenancy at risk",
        "Attend the debt advice appointment with bank statements; checked by the adviser's letter",
        "Refer for debt and benefits advice",
    ),
    DemoNeed(
        "health",
        "mental_health",
        "Low mood and poor sleep since a bereavement",
        "Low mood affecting engagement; GP asks for a mental health assessment",
        "Register with a GP and attend the mental health assessment; checked with the GP surgery",
        "Support GP registration and the mental health referral",
    ),
)


def demo_cohort_runs_build(*, people_file: Path, events_file: Path, as_of: date) -> list[CohortRun]:
    """Run the demo's built-in definitions on the synthetic area's files and save each run, so the
    panel's candidates are people a definition selected, with its reasons. Once only."""
    if CohortRun.objects.exists() or not (people_file.exists() and events_file.exists()):
        return []
    # The engine's libraries load only when the demo is first built.
    from openiom.cohorts.engine import builtin_definitions, file_source, identify
    from openiom.cohorts.services import cohort_run_save

    source = file_source(people=people_file, events=events_file)
    try:
        runs = []
        for definition in builtin_definitions():
            if definition.id in DEMO_DEFINITIONS:
                # The panel shows the reasons, not the events behind them: listing those would
                # add a query per definition to the demo's start.
                result = identify(source, definition, as_of, evidence=False)
                if len(result):
                    runs.append(cohort_run_save(result=result))
        return runs
    finally:
        source.close()


def _age(person: Person, on: date) -> int:
    born = person.date_of_birth
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _abuser(person: Person) -> bool:
    return OffendingEvent.objects.filter(person=person, domestic_abuse=True).exists()


def _offending_reason(person: Person, as_of: date) -> str:
    """A referral reason in the referrer's words, from the person's own record."""
    summary = offending_summary(person=person, as_of=as_of)
    latest = next((e for e in timeline_for(person=person) if e.event.outcome_date <= as_of), None)
    latest_text = (
        f"; latest {latest.offence_description.lower()} on {latest.event.offence_date:%d %b %Y}"
        if latest
        else ""
    )
    return (
        f"{summary.proven_offences} proven offences, {summary.proven_last_12_months} in the last 12 months"
        f"{latest_text}"
    )


def _risk_level(person: Person, as_of: date) -> str:
    recent = offending_summary(person=person, as_of=as_of).proven_last_12_months
    return "very_high" if recent >= 8 else "high" if recent >= 4 else "medium" if recent >= 2 else "low"


def _pick(as_of: date, police: Agency, scheme: Scheme) -> tuple[list[Person], list[Person]]:
    """Adults the definitions selected (most definitions first), and adults from the scheme's own
    people whom an agency might refer, each person once."""
    counts: dict[int, int] = {}
    for person_id in Candidate.objects.values_list("person_id", flat=True):
        counts[person_id] = counts.get(person_id, 0) + 1
    selected = sorted(Person.objects.filter(pk__in=counts), key=lambda p: (-counts[p.pk], p.pk))
    selected = [p for p in selected if _age(p, as_of) >= ADULT]
    others = [
        p
        for p in Person.objects.filter(schemes__scheme=scheme).exclude(pk__in=counts).order_by("id")
        if _age(p, as_of) >= ADULT
    ]
    others += [
        p
        for p in Person.objects.filter(source_system__in=police.source_systems)
        .exclude(pk__in=counts)
        .exclude(pk__in=[o.pk for o in others])
        .order_by("id")[: DEMO_CASES * 4]
        if _age(p, as_of) >= ADULT
    ]
    return selected, others


def _candidacy(person: Person) -> Candidate | None:
    return person.cohort_candidacies.select_related("run").order_by("-run__created_at").first()


def _selected_rationale(person: Person, decision: str) -> str:
    candidacy = _candidacy(person)
    why = f"Selected by {candidacy.run.definition_title} ({candidacy.summary})" if candidacy else ""
    return {
        "adopt": f"{why}. Police, probation and the recovery service agree the offending is persistent "
        "and needs joint management.",
        "defer": f"{why}. Wait for the outcome of the current court case before deciding.",
        "decline": f"{why}. No proven offence in recent months and in stable work; does not meet the "
        "local criteria now.",
    }[decision].lstrip(". ")


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
    probation_agency = scheme.agencies.filter(kind=AgencyKind.PROBATION).first()
    partner_agency = scheme.agencies.filter(kind=AgencyKind.PARTNER).first()
    if partner_agency is None or probation_agency is None:
        return 0
    selected, others = _pick(as_of, police_agency, scheme)
    # Adopted, deferred and declined people come before the panel as candidates where the
    # definitions selected enough; agency referrals are people the definitions did not pick.
    decided_count = len(REFERRAL_STEPS) + 2 + 2 + 2
    # Some candidates stay undecided, so the panel has cohort candidates to consider.
    decided = selected[: min(decided_count, max(0, len(selected) - PANEL_CANDIDATES))]
    decided += others[: decided_count - len(decided)]
    referred = [p for p in others if p not in decided][:4]
    if len(decided) + len(referred) < DEMO_CASES:
        return 0
    managed, exited = decided[: len(REFERRAL_STEPS)], decided[len(REFERRAL_STEPS) : len(REFERRAL_STEPS) + 2]
    deferred, declined = (
        decided[len(REFERRAL_STEPS) + 2 : len(REFERRAL_STEPS) + 4],
        decided[len(REFERRAL_STEPS) + 4 :],
    )

    def adopt(person: Person, stream: str, days_ago: int) -> Case:
        return services.panel_decide(
            user=coordinator,
            scheme=scheme,
            person=person,
            decision="adopt",
            rationale=_selected_rationale(person, "adopt"),
            stream=stream,
            lead_agency=police_agency,
            police_worker=police,
            probation_worker=probation,
            start_date=as_of - timedelta(days=days_ago),
            candidate=_candidacy(person),
        )

    for n, (person, steps) in enumerate(zip(managed, REFERRAL_STEPS.values(), strict=True)):
        _managed_case(
            adopt(person, ["fixed", "flex", "free"][n % 3], 60 + 25 * n),
            n=n,
            steps=steps,
            as_of=as_of,
            workers=(police, probation, partner or probation),
            agencies=(police_agency, probation_agency, partner_agency),
        )
    for person in referred[:3]:
        services.panel_refer(
            user=police,
            scheme=scheme,
            person=person,
            reason=f"Neighbourhood policing: {_offending_reason(person, as_of)}",
        )
    services.panel_refer(
        user=probation,
        scheme=scheme,
        person=referred[3],
        mappa_level=2,
        reason=f"Released on licence, MAPPA level 2: {_offending_reason(referred[3], as_of)}",
    )
    for person in deferred:
        services.panel_decide(
            user=coordinator,
            scheme=scheme,
            person=person,
            decision="defer",
            rationale=_selected_rationale(person, "defer"),
            candidate=_candidacy(person),
        )
    for person in declined:
        services.panel_decide(
            user=coordinator,
            scheme=scheme,
            person=person,
            decision="decline",
            rationale=_selected_rationale(person, "decline"),
            candidate=_candidacy(person),
        )
    for n, person in enumerate(exited):
        case = adopt(person, "free", 400 + 60 * n)
        services.case_exit(
            user=coordinator,
            case=case,
            version=case.version,
            on=as_of - timedelta(days=10 + 20 * n),
            reason=[
                "Twelve months without a proven offence; stepped down to universal services",
                "Moved out of the area; case handed to the receiving IOM scheme",
            ][n],
        )
    return Case.objects.filter(scheme=scheme).count()


DEMO_DEFINITION = "demo-three-proven-in-12-months"
DEMO_DEFINITION_SOURCE = "Synthetic scheme (openiom.synth.iom_effect)"
# The planted scheme's rule is not a built-in definition: its runs carry the hash of its statement.
DEMO_DEFINITION_RULE = "Three or more proven offences in the 12 months before the quarter's panel"
DEMO_DEFINITION_SHA256 = hashlib.sha256(DEMO_DEFINITION_RULE.encode()).hexdigest()
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
                definition_source=DEMO_DEFINITION_SOURCE,
                definition_sha256=DEMO_DEFINITION_SHA256,
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
    for run in runs.values():
        run.candidate_count = run.candidates.count()
        run.save(update_fields=["candidate_count"])
    return count


def _managed_case(
    case: Case,
    *,
    n: int,
    steps: Sequence[str],
    as_of: date,
    workers: tuple[User, User, User],
    agencies: tuple[Agency, Agency, Agency],
) -> None:
    """Risk, needs, plan, a referral and contacts for one managed case, from the person's records."""
    police, probation, partner = workers
    police_agency, probation_agency, partner_agency = agencies
    abuser = _abuser(case.person)
    services.case_risk_update(
        user=probation,
        case=case,
        version=case.version,
        risk_level=_risk_level(case.person, as_of),
        risk_review_date=as_of + timedelta(days=7 * n + 14),
        domestic_abuse=abuser,
        mappa_level=0,
    )
    # Two needs per case, different pairs: the first is referred to its service.
    first, second = NEEDS[n % len(NEEDS)], NEEDS[(n + 1 + n // len(NEEDS)) % len(NEEDS)]
    for need, level in ((first, "high"), (second, "medium")):
        services.need_save(
            user=probation,
            case=case,
            version=case.version,
            pathway=need.pathway,
            level=level,
            notes=need.notes,
        )
    plan = Plan.objects.get(case=case)
    services.plan_add_requirement(
        user=probation,
        plan=plan,
        version=plan.version,
        text=first.requirement,
        how_checked=first.how_checked,
        due_date=as_of + timedelta(days=21 + n),
    )
    plan.refresh_from_db()
    for need, agency, owner in ((first, partner_agency, partner), (second, probation_agency, probation)):
        services.plan_add_action(
            user=probation,
            plan=plan,
            version=plan.version,
            text=need.action,
            owner_agency=agency,
            due_date=as_of + timedelta(days=14 + n),
            pathway=need.pathway,
            owner_worker=owner,
        )
        plan.refresh_from_db()
    services.plan_add_action(
        user=police,
        plan=plan,
        version=plan.version,
        text="Monthly joint home visit with probation; check licence conditions and associates",
        owner_agency=police_agency,
        due_date=as_of + timedelta(days=28),
    )
    plan.refresh_from_db()
    if abuser:
        services.plan_add_action(
            user=police,
            plan=plan,
            version=plan.version,
            text="Victim safety plan with the IDVA; share bail and licence conditions with the victim",
            owner_agency=police_agency,
            due_date=as_of + timedelta(days=7),
            victim_safety=True,
        )
        plan.refresh_from_db()
    referral = services.referral_send(
        user=probation, case=case, service=first.service, agency=partner_agency, reason=first.referral_reason
    )
    for step in steps:
        reason = {
            "disengaged": "Missed three appointments in a row; not answering calls",
            "declined": "Does not want the service at present",
            "no_provision": "No places in the area until the new contract starts",
        }.get(step, "")
        referral = services.referral_update(
            user=partner,
            referral=referral,
            version=referral.version,
            status=step,
            on=max(as_of, referral.sent_on),
            reason=reason,
            outcome=DEMO_OUTCOMES.get(step, ""),
        )
    plan.refresh_from_db()
    if n % 2 == 0:
        services.plan_activate(user=probation, plan=plan, version=plan.version)
    contact_types = ("home_visit", "office", "phone", "joint_visit")
    for k, day in enumerate(range(3 + n, 90, 9 + 2 * n)):
        services.contact_record(
            user=police if k % 2 == 0 else probation,
            case=case,
            contact_type=contact_types[(k + n) % len(contact_types)],
            agency=police_agency if k % 2 == 0 else probation_agency,
            on=as_of - timedelta(days=day),
            outcome="missed" if (k + n) % 5 == 0 else "attended",
        )
