"""Reads for the performance pages: the scheme's managed people and comparison group, their events
priced with the active reference data, and the facts behind the case-quality indicators.

The figures are computed by openiom.performance.measures (no Django) on an embedded DuckDB; this
module only gathers the rows a user may see and caches the result, so the dashboard is computed
once and then served from the cache.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from openiom.access.models import AgencyKind, Scheme
from openiom.access.policy import Scope, scope_for
from openiom.access.selectors import pseudonym, scheme_scope, user_schemes
from openiom.accounts.models import User
from openiom.cases.models import (
    ActionStatus,
    Case,
    CaseStatus,
    Contact,
    ContactOutcome,
    Decision,
    Need,
    NeedLevel,
    PanelDecision,
    Pathway,
    PlanAction,
    ReferralStatus,
    Requirement,
    Review,
    ServiceReferral,
)
from openiom.cohorts.models import Candidate, CohortRun
from openiom.evaluation.models import EvaluationRun
from openiom.offending.models import OffendingEvent
from openiom.people.models import Person
from openiom.performance import indicators, measures
from openiom.reference.models import Offence, UnitCost
from openiom.workforce.selectors import indicator_training_facts

if TYPE_CHECKING:
    # Imported where used: every case page imports this module, and a worker must start fast.
    import pandas as pd

ACTION = "performance.view"
REPORT_ACTION = "performance.report"
ADOPTED = (CaseStatus.ACTIVE, CaseStatus.EXITED)
CACHE_SECONDS = 600
# SQLite allows a limited number of bound parameters per query.
ID_CHUNK = 900


def schemes_for(user: User) -> list[Scheme]:
    return list(user_schemes(user).order_by("name")) if scope_for(user, ACTION) else []


def scheme_for(user: User, code: str | None) -> Scheme | None:
    """The scheme with that code if the user belongs to it; the user's first scheme without a code."""
    schemes = schemes_for(user)
    if not code:
        return schemes[0] if schemes else None
    return next((s for s in schemes if s.code == code), None)


def _visible_people(user: User) -> Q:
    return scheme_scope(user).people()


def managed_cases(user: User, scheme: Scheme) -> QuerySet[Case]:
    """The scheme's adopted cases (managed now or exited) whose person the user may see."""
    if scope_for(user, ACTION) not in (Scope.SCHEME, Scope.PSEUDONYMISED, Scope.ALL):
        return Case.objects.none()
    cases = Case.objects.filter(scheme=scheme, status__in=ADOPTED)
    if scope_for(user, ACTION) != Scope.ALL:
        cases = cases.filter(person__in=Person.objects.filter(_visible_people(user)).values("pk"))
    return cases


def shows_identities(user: User) -> bool:
    return scope_for(user, ACTION) != Scope.PSEUDONYMISED or bool(getattr(user, "sees_identities", False))


def person_label(user: User, person: Person) -> str:
    if shows_identities(user):
        return f"{person.family_name.upper()}, {person.given_names}"
    return pseudonym(person.pk)


def _key_worker(case: Case) -> str:
    lead_kind = case.lead_agency.kind if case.lead_agency else ""
    worker = case.police_worker if lead_kind == AgencyKind.POLICE else case.probation_worker
    worker = worker or case.police_worker or case.probation_worker
    return (worker.get_full_name() or worker.username) if worker else "Not allocated"


def _members(user: User, scheme: Scheme, as_of: date) -> tuple[pd.DataFrame, list[int]]:
    import pandas as pd

    cases = list(
        managed_cases(user, scheme).select_related(
            "lead_agency", "police_worker", "probation_worker", "person"
        )
    )
    rows = [
        {
            "person_key": case.person_id,
            "group": measures.MANAGED,
            "anchor": case.start_date,
            "scheme": scheme.code,
            "stream": case.stream or "Not recorded",
            "lead_agency": case.lead_agency.name if case.lead_agency else "Not recorded",
            "key_worker": _key_worker(case),
        }
        for case in cases
    ]
    managed_ids = [case.person_id for case in cases]
    # The comparison group: people the same selection definitions picked in saved cohort runs and the
    # scheme did not adopt (declined, deferred, awaiting or never put to the panel), anchored on the
    # first run that picked them.
    definitions = set(
        PanelDecision.objects.filter(
            case__scheme=scheme, case__status__in=ADOPTED, decision=Decision.ADOPT, candidate__isnull=False
        ).values_list("candidate__run__definition_id", flat=True)
    )
    if not definitions:
        definitions = set(
            Candidate.objects.filter(person_id__in=managed_ids[:ID_CHUNK]).values_list(
                "run__definition_id", flat=True
            )
        )
    runs = CohortRun.objects.filter(definition_id__in=sorted(definitions), as_of__lte=as_of)
    adopted = Case.objects.filter(scheme=scheme, status__in=ADOPTED).values("person_id")
    comparison = (
        Candidate.objects.filter(run__in=runs)
        .exclude(person__in=adopted)
        .filter(person__in=Person.objects.filter(_visible_people(user)).values("pk"))
        .values("person_id")
        .annotate(first=Min("run__as_of"))
    )
    rows += [
        {"person_key": c["person_id"], "group": measures.COMPARISON, "anchor": c["first"]} for c in comparison
    ]
    frame = pd.DataFrame(rows, columns=[*measures.MEMBER_COLUMNS, *measures.DIMENSIONS])
    return frame, sorted({int(k) for k in frame["person_key"]})


def _prices() -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Offence code -> Crime Severity Score weight and -> unit cost, from the active reference data."""
    costs = {
        u.cost_category: float(u.unit_cost_gbp) if u.unit_cost_gbp is not None else None
        for u in UnitCost.objects.filter(dataset__is_active=True)
    }
    weights: dict[str, float | None] = {}
    unit: dict[str, float | None] = {}
    for code, weight, category in Offence.objects.filter(dataset__is_active=True).values_list(
        "offence_code", "css_weight", "cost_category"
    ):
        weights[code] = float(weight) if weight is not None else None
        unit[code] = costs.get(category) if category else None
    return weights, unit


def events_frame(person_ids: list[int]) -> pd.DataFrame:
    """The people's offending events, in the shape measures.load_events takes."""
    import pandas as pd

    weights, unit = _prices()
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(person_ids), ID_CHUNK):
        rows += OffendingEvent.objects.filter(person_id__in=person_ids[start : start + ID_CHUNK]).values_list(
            "person_id",
            "event_type",
            "offence_date",
            "outcome_date",
            "disposal",
            "custody_start",
            "release_date",
            "offence_code",
        )
    frame = pd.DataFrame(rows, columns=[*measures.EVENT_FRAME_COLUMNS[:7], "offence_code"])
    frame["css_weight"] = frame["offence_code"].map(weights)
    frame["unit_cost"] = frame["offence_code"].map(unit)
    for column in ("offence_date", "outcome_date", "custody_start", "release_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame.drop(columns=["offence_code"])


def _fingerprint(scheme: Scheme) -> str:
    """Changes whenever the figures could: a case, a decision, a cohort run or the reference data."""
    cases = Case.objects.filter(scheme=scheme).aggregate(n=Max("updated_at"))
    decision = PanelDecision.objects.filter(case__scheme=scheme).aggregate(n=Max("pk"))
    run = CohortRun.objects.aggregate(n=Max("pk"))
    reference = Offence.objects.filter(dataset__is_active=True).aggregate(n=Max("dataset_id"))
    return f"{cases['n']}|{decision['n']}|{run['n']}|{reference['n']}"


def compute_measures(user: User, scheme: Scheme, *, months: int, as_of: date) -> measures.Measures:
    import duckdb

    members, ids = _members(user, scheme, as_of)
    con = duckdb.connect()
    try:
        measures.load_events(con, events_frame(ids))
        return measures.compute(con, members, as_of=as_of, months=months)
    finally:
        con.close()


def dashboard(user: User, scheme: Scheme, *, months: int, as_of: date | None = None) -> measures.Measures:
    """The scheme's before/after figures, computed once per change of the data and then cached.

    The cache key includes what the user may see (their scope's schemes and source systems), so two
    users with different access never share figures.
    """
    measures.check_months(months)
    as_of = as_of or timezone.localdate()
    visible = scheme_scope(user)
    parts = (
        scheme.pk,
        months,
        as_of.isoformat(),
        _fingerprint(scheme),
        sorted(visible.scheme_ids),
        sorted(visible.source_systems),
        sorted(visible.shared_scheme_ids),
        scope_for(user, ACTION),
    )
    key = "performance:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    found = cache.get(key)
    if isinstance(found, measures.Measures):
        return found
    result = compute_measures(user, scheme, months=months, as_of=as_of)
    cache.set(key, result, CACHE_SECONDS)
    return result


@dataclass(frozen=True)
class CasePanel:
    anchor: date | None
    rows: list[dict[str, Any]]
    notes: list[str]
    months: int


def case_panel(case: Case, *, months: int = measures.DEFAULT_MONTHS, as_of: date | None = None) -> CasePanel:
    """One person's before/after windows around their adoption, for the case page. The caller has
    already checked the user may see the case."""
    import duckdb
    import pandas as pd

    as_of = as_of or timezone.localdate()
    if case.status not in ADOPTED:
        return CasePanel(
            None, [], ["The person has not been adopted, so there is no before and after."], months
        )
    members = pd.DataFrame(
        [{"person_key": case.person_id, "group": measures.MANAGED, "anchor": case.start_date}]
    )
    con = duckdb.connect()
    try:
        measures.load_events(con, events_frame([case.person_id]))
        result = measures.compute(con, members, as_of=as_of, months=months, breakdown=False)
    finally:
        con.close()
    rows = result.people.astype(object).where(result.people.notna(), None).to_dict("records")
    return CasePanel(case.start_date, rows, result.diagnostics.notes(), months)


# Case-quality indicators -------------------------------------------------------------------------


def indicator_facts(user: User, scheme: Scheme, as_of: date) -> list[indicators.CaseFacts]:
    """The facts of the scheme's managed cases (exited ones are no longer run) the user may see."""
    config = indicators.load_config()
    cases = list(
        managed_cases(user, scheme)
        .filter(status=CaseStatus.ACTIVE)
        .select_related("person", "lead_agency", "police_worker", "probation_worker")
        .order_by("pk")
    )
    ids = [c.pk for c in cases]
    facts: dict[int, indicators.CaseFacts] = {}
    for case in cases:
        workers = tuple(
            w.get_full_name() or w.username
            for w in (case.police_worker, case.probation_worker)
            if w is not None
        )
        involved = {a for a in (case.lead_agency_id,) if a is not None}
        for worker in (case.police_worker, case.probation_worker):
            if worker is not None and worker.agency_id is not None:
                involved.add(worker.agency_id)
        facts[case.pk] = indicators.CaseFacts(
            case_id=case.pk,
            label=person_label(user, case.person),
            stream=case.stream,
            team=case.lead_agency.name if case.lead_agency else "Not recorded",
            workers=workers,
            start_date=case.start_date,
            involved_agencies=frozenset(involved),
            risk_level=case.risk_level,
            risk_review_date=case.risk_review_date,
            domestic_abuse=case.domestic_abuse,
            safeguarding=case.safeguarding_children or case.safeguarding_adults,
        )
    if not facts:
        return []
    for case_id, training in indicator_training_facts(cases, scheme).items():
        facts[case_id].needs_training, facts[case_id].workers_trained = training.needs, training.trained
        facts[case_id].training_override, facts[case_id].police_other_lane = training.override, training.lane
    for case_id in (
        PanelDecision.objects.filter(case_id__in=ids, decision=Decision.ADOPT)
        .exclude(rationale="")
        .values_list("case_id", flat=True)
    ):
        facts[case_id].rationale_recorded = True
    plans = Case.objects.filter(pk__in=ids, plan__isnull=False).values_list("pk", "plan__status", "plan__pk")
    plan_case = {}
    for case_id, status, plan_id in plans:
        facts[case_id].plan_active = status == "active"
        plan_case[plan_id] = case_id
    for plan_id in Requirement.objects.filter(plan_id__in=list(plan_case)).values_list("plan_id", flat=True):
        facts[plan_case[plan_id]].requirements += 1
    live_actions = PlanAction.objects.filter(plan_id__in=list(plan_case)).exclude(
        status=ActionStatus.CANCELLED
    )
    for plan_id, agency_id, victim in live_actions.values_list("plan_id", "owner_agency_id", "victim_safety"):
        fact = facts[plan_case[plan_id]]
        fact.action_agencies = fact.action_agencies | {agency_id}
        fact.victim_safety_action = fact.victim_safety_action or victim
    needs = Need.objects.filter(case_id__in=ids).exclude(level=NeedLevel.NONE)
    for case_id, pathway, updated in needs.values_list("case_id", "pathway", "updated_at"):
        if pathway == Pathway.DRUGS_ALCOHOL:
            facts[case_id].drug_need_on = timezone.localdate(updated)
        elif pathway == Pathway.ACCOMMODATION:
            facts[case_id].accommodation_need = True
    referrals = ServiceReferral.objects.filter(case_id__in=ids).values_list(
        "case_id", "pathway", "service", "status", "sent_on", "started_on"
    )
    for case_id, pathway, service, status, sent_on, started_on in referrals.order_by("sent_on", "pk"):
        fact = facts[case_id]
        if pathway == Pathway.DRUGS_ALCOHOL:
            if fact.drug_referral_on is None:
                fact.drug_referral_on = sent_on
            if started_on is not None or status in (ReferralStatus.STARTED, ReferralStatus.COMPLETED):
                fact.drug_treatment_started = True
        if pathway == Pathway.ACCOMMODATION and status == ReferralStatus.COMPLETED:
            fact.accommodation_met = True
        if service in config.safeguarding_services:
            fact.safeguarding_referral = True
    since = indicators.months_back(as_of, config.contact_months)
    contacts = Contact.objects.filter(case_id__in=ids, on__gte=since, on__lte=as_of).exclude(
        outcome=ContactOutcome.PLANNED
    )
    by_case: dict[int, list[date]] = {}
    for case_id, on in contacts.values_list("case_id", "on"):
        by_case.setdefault(case_id, []).append(on)
    for case_id, dates in by_case.items():
        facts[case_id].contact_dates = tuple(dates)
    overdue = Review.objects.filter(case_id__in=ids, completed_on__isnull=True, due_date__lt=as_of)
    for case_id in overdue.values_list("case_id", flat=True):
        facts[case_id].overdue_reviews += 1
    return list(facts.values())


def quality(user: User, scheme: Scheme, as_of: date | None = None) -> dict[str, Any]:
    """The indicators for the scheme, and by team and by worker."""
    as_of = as_of or timezone.localdate()
    config = indicators.load_config()
    facts = indicator_facts(user, scheme, as_of)
    may_see_victims = scope_for(user, "restricted.victim") is not None

    def shown(results: list[indicators.IndicatorResult]) -> list[indicators.IndicatorResult]:
        return [r for r in results if may_see_victims or not r.definition.victim]

    return {
        "as_of": as_of,
        "cases": len(facts),
        "results": shown(indicators.evaluate(facts, config, as_of)),
        "teams": [(n, shown(r)) for n, r in indicators.by_group(facts, config, as_of, "team")],
        "workers": [(n, shown(r)) for n, r in indicators.by_group(facts, config, as_of, "worker")],
        "may_see_health": scope_for(user, "restricted.health") is not None,
        "victim_indicators_hidden": not may_see_victims,
    }


def report_run(user: User, run_id: int) -> EvaluationRun | None:
    """A run (report or evaluation) of one of the user's schemes; None if there is none."""
    schemes = [s.pk for s in schemes_for(user)]
    return EvaluationRun.objects.filter(pk=run_id, scheme_id__in=schemes).select_related("scheme").first()


def quarter_dates(text: str) -> tuple[date, date]:
    """'2026Q3' -> (1 July 2026, 30 September 2026); a clear error otherwise."""
    cleaned = text.strip().upper()
    if len(cleaned) != 6 or cleaned[4] != "Q" or not cleaned[:4].isdigit() or cleaned[5] not in "1234":
        raise measures.MeasureError(f"quarter: {text!r} is not a quarter such as 2026Q3")
    year, number = int(cleaned[:4]), int(cleaned[5])
    start = date(year, 3 * number - 2, 1)
    end = date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1) - timedelta(days=1)
    return start, end
