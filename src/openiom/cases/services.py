"""Every write to the selection panel and the case: one transaction each, audited, versions checked."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from openiom.access.models import Agency, PersonAccessGrant, Scheme, SchemeMembership, SchemePerson
from openiom.audit.actions import PANEL_DECISION_ACTIONS, AuditAction
from openiom.audit.services import audit_record
from openiom.cases import rules
from openiom.cases.lists import label, lists, offered
from openiom.cases.models import (
    RESTRICTED_PATHWAYS,
    ActionStatus,
    Case,
    CaseEvent,
    CaseStatus,
    Contact,
    Decision,
    EventKind,
    ListEntry,
    ListKind,
    Need,
    NeedLevel,
    PanelDecision,
    PanelReferral,
    Pathway,
    Plan,
    PlanAction,
    PlanStatus,
    PlanVersion,
    ReferralStatus,
    Requirement,
    Review,
    ServiceReferral,
)
from openiom.cohorts.models import Candidate
from openiom.people.models import Person
from openiom.workforce import selectors as workforce_selectors
from openiom.workforce import services as workforce
from openiom.workforce.rules import WorkforceError

if TYPE_CHECKING:
    from openiom.accounts.models import User

FIRST_REVIEW_AFTER = timedelta(weeks=6)
REFERRAL_ACTION_DUE = timedelta(days=28)
OPEN_STATUSES = (CaseStatus.REFERRED, CaseStatus.DEFERRED)


class CaseError(ValueError):
    """Bad input: `errors` maps each form field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Conflict(Exception):
    """Someone else saved first: the caller shows both versions instead of overwriting."""

    def __init__(self, current: Any) -> None:
        super().__init__("the record changed since it was opened")
        self.current = current


def _event(case: Case, user: User, kind: str, text: str, *, restricted: bool = False) -> None:
    CaseEvent.objects.create(case=case, kind=kind, text=text, by=user, restricted=restricted)


def _audit(user: User, action: AuditAction, case: Case, **detail: Any) -> None:
    audit_record(
        user=user,
        action=action,
        object_type="case",
        object_id=case.pk,
        detail={"person": case.person_id, **detail},
    )


def _save_if_unchanged(record: Model, version: int, **changes: Any) -> None:
    """Apply changes only if nobody saved since `version`: the check and the write are one UPDATE.
    Otherwise raise Conflict with the saved record, so the page can show both versions."""
    model = type(record)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        changes.setdefault("updated_at", timezone.now())
    if not model._default_manager.filter(pk=record.pk, version=version).update(
        version=F("version") + 1, **changes
    ):
        raise Conflict(model._default_manager.get(pk=record.pk))


def _open_case(case: Case) -> None:
    """Refuse any change to an exited or declined case (the reopen is the one way back)."""
    problem = rules.case_closed_problem(case.status)
    if problem:
        raise CaseError({"__all__": problem})


def _allocation_checked(
    *, user: User, case: Case, stream: str, allocated: dict[str, Any], override: str
) -> list[workforce.Shortfall]:
    """The safe-allocation check (openiom.workforce) for workers newly given the case."""
    fresh = {
        name: worker
        for name, worker in allocated.items()
        if worker is not None and getattr(case, f"{name}_id") != worker.pk
    }
    try:
        return workforce.allocation_check(
            user=user,
            flags=workforce_selectors.flags_of(case),
            stream=stream,
            allocated=fresh,
            override=override,
        )
    except WorkforceError as error:
        raise CaseError(error.errors) from error


def _bump_case(case: Case, version: int, **changes: Any) -> Case:
    _save_if_unchanged(case, version, **changes)
    case.refresh_from_db()
    return case


# Selection panel ---------------------------------------------------------------------------------


@transaction.atomic
def panel_refer(*, user: User, scheme: Scheme, person: Person, reason: str, mappa_level: int = 0) -> Case:
    """Refer a person to the scheme's selection panel (any agency may), with the reason."""
    if len(reason.strip()) < rules.MIN_RATIONALE:
        raise CaseError(
            {
                "reason": _("Give the reason for the referral (at least %(n)d characters)")
                % {"n": rules.MIN_RATIONALE}
            }
        )
    case, created = Case.objects.select_for_update().get_or_create(
        scheme=scheme, person=person, defaults={"status": CaseStatus.REFERRED, "mappa_level": mappa_level}
    )
    if not created:
        if case.status == CaseStatus.ACTIVE:
            raise CaseError({"reason": _("This person is already managed by the scheme")})
        _bump_case(
            case, case.version, status=CaseStatus.REFERRED, mappa_level=max(case.mappa_level, mappa_level)
        )
    PanelReferral.objects.create(case=case, agency=user.agency, referred_by=user, reason=reason.strip())
    SchemePerson.objects.get_or_create(
        scheme=scheme, person=person, defaults={"reason": "Referred to the IOM panel"}
    )
    _event(case, user, EventKind.PANEL_REFERRAL, reason.strip())
    _audit(user, AuditAction.PANEL_REFER, case)
    return case


@transaction.atomic
def panel_decide(
    *,
    user: User,
    scheme: Scheme,
    person: Person,
    decision: str,
    rationale: str,
    mappa_override: str = "",
    stream: str = "",
    lead_agency: Agency | None = None,
    police_worker: Any = None,
    probation_worker: Any = None,
    start_date: date | None = None,
    candidate: Candidate | None = None,
    version: int | None = None,
    training_override: str = "",
) -> Case:
    """Adopt, decline or defer a candidate or referral. Nothing is saved without a written rationale.

    `version` is the case's version when the decision page was opened (0: the person had no case):
    if the case has changed since, or was created meanwhile, Conflict is raised and nothing saved.
    None only where no page was shown (demo data).
    """
    case = Case.objects.select_for_update().filter(scheme=scheme, person=person).first()
    if version is not None and version != (case.version if case else 0):
        raise Conflict(case)
    mappa_level = case.mappa_level if case else 0
    problems = rules.decision_problems(
        decision=decision,
        rationale=rationale,
        mappa_level=mappa_level,
        mappa_override=mappa_override,
        stream=stream,
        lead_agency=lead_agency,
        start_date=start_date,
    )
    if decision == Decision.DESELECT:
        problems["decision"] = _("Choose adopt, decline or defer")
    if stream and stream not in offered(lists().streams):
        problems["stream"] = _("Choose one of the configured cohort streams")
    if case is not None and case.status == CaseStatus.ACTIVE:
        problems["decision"] = _("This person is already managed: de-select them from their case instead")
    if problems:
        raise CaseError(problems)
    if case is None:
        case = Case.objects.create(scheme=scheme, person=person, status=CaseStatus.REFERRED)
    shortfalls: list[workforce.Shortfall] = []
    if decision == Decision.ADOPT:
        shortfalls = _allocation_checked(
            user=user,
            case=case,
            stream=stream,
            allocated={"police_worker": police_worker, "probation_worker": probation_worker},
            override=training_override,
        )
    status = {
        Decision.ADOPT: CaseStatus.ACTIVE,
        Decision.DECLINE: CaseStatus.DECLINED,
        Decision.DEFER: CaseStatus.DEFERRED,
    }[Decision(decision)]
    changes: dict[str, Any] = {"status": status}
    if decision == Decision.ADOPT:
        changes.update(
            stream=stream,
            lead_agency=lead_agency,
            police_worker=police_worker,
            probation_worker=probation_worker,
            start_date=start_date,
            exit_date=None,
            exit_reason="",
        )
    _bump_case(case, case.version, **changes)
    PanelDecision.objects.create(
        case=case,
        decision=decision,
        rationale=rationale.strip(),
        mappa_override=mappa_override.strip(),
        candidate=candidate,
        effective_on=start_date or timezone.localdate(),
        decided_by=user,
    )
    SchemePerson.objects.get_or_create(
        scheme=scheme, person=person, defaults={"reason": "Selection panel decision"}
    )
    if decision == Decision.ADOPT:
        assert start_date is not None
        plan, _created = Plan.objects.get_or_create(case=case)
        if _created:
            _snapshot(plan, user, _("Plan started"))
        if not case.reviews.filter(completed_on__isnull=True).exists():
            Review.objects.create(case=case, due_date=start_date + FIRST_REVIEW_AFTER)
    workforce.allocation_overrides_record(
        user=user, case=case, shortfalls=shortfalls, reason=training_override
    )
    _event(case, user, EventKind.DECISION, f"{Decision(decision).label}: {rationale.strip()}")
    _audit(user, PANEL_DECISION_ACTIONS[decision], case, mappa_override=bool(mappa_override.strip()))
    return case


@transaction.atomic
def case_exit(*, user: User, case: Case, version: int, reason: str, on: date) -> Case:
    """De-select: the case closes with its reason and date, and partners lose access it gave them."""
    if case.status != CaseStatus.ACTIVE:
        raise CaseError({"reason": _("Only a managed case can be de-selected")})
    if len(reason.strip()) < rules.MIN_RATIONALE:
        raise CaseError(
            {
                "reason": _("Give the reason for de-selection (at least %(n)d characters)")
                % {"n": rules.MIN_RATIONALE}
            }
        )
    _bump_case(case, version, status=CaseStatus.EXITED, exit_date=on, exit_reason=reason.strip())
    PanelDecision.objects.create(
        case=case, decision=Decision.DESELECT, rationale=reason.strip(), effective_on=on, decided_by=user
    )
    PersonAccessGrant.objects.filter(
        pk__in=case.service_referrals.exclude(grant=None).values("grant_id"), revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    _event(case, user, EventKind.EXIT, reason.strip())
    _audit(user, AuditAction.CASE_EXIT, case)
    return case


@transaction.atomic
def case_reopen(*, user: Any, case: Case, version: int, reason: str) -> Case:
    """A coordinator reopens a closed case: an exited one is managed again, a declined one goes back
    to the panel. The reason is kept on the timeline and in the audit trail."""
    problems = rules.reopen_problem(status=case.status, reason=reason)
    if problems:
        raise CaseError(problems)
    was = case.status
    if was == CaseStatus.EXITED:
        _bump_case(case, version, status=CaseStatus.ACTIVE, exit_date=None, exit_reason="")
    else:
        _bump_case(case, version, status=CaseStatus.REFERRED)
    _event(case, user, EventKind.REOPEN, reason.strip())
    _audit(user, AuditAction.CASE_REOPEN, case, was=was, reason=reason.strip())
    return case


# Risk, flags and needs -----------------------------------------------------------------------------

RISK_FIELDS = (
    "risk_level",
    "risk_review_date",
    "domestic_abuse",
    "safeguarding_children",
    "safeguarding_adults",
    "gang",
    "weapons",
    "mappa_level",
)


@transaction.atomic
def case_risk_update(*, user: User, case: Case, version: int, **values: Any) -> Case:
    _open_case(case)
    unknown = set(values) - set(RISK_FIELDS)
    if unknown:
        raise CaseError({name: _("Not a risk or flag field") for name in sorted(unknown)})
    if values.get("risk_level") and values.get("risk_review_date") is None:
        raise CaseError({"risk_review_date": _("Enter when the risk of serious harm is next reviewed")})
    flags_before = workforce_selectors.flags_of(case)
    _bump_case(case, version, **values)
    workforce.flag_training_alert(user=user, case=case, flags_before=flags_before)
    _event(case, user, EventKind.RISK, _("Risk of serious harm and flags updated"))
    _audit(user, AuditAction.CASE_RISK, case, fields=sorted(values))
    return case


@transaction.atomic
def need_save(
    *,
    user: User,
    case: Case,
    version: int,
    pathway: str,
    level: str,
    notes: str = "",
    no_action_reason: str = "",
) -> Need:
    _open_case(case)
    if pathway not in Pathway.values:
        raise CaseError({"pathway": _("Choose a pathway")})
    if level not in NeedLevel.values:
        raise CaseError({"level": _("Choose the level of need")})
    _bump_case(case, version)
    need, _created = Need.objects.update_or_create(
        case=case,
        pathway=pathway,
        defaults={"level": level, "notes": notes.strip(), "no_action_reason": no_action_reason.strip()},
    )
    restricted = pathway in RESTRICTED_PATHWAYS
    _event(
        case,
        user,
        EventKind.NEED,
        f"{Pathway(pathway).label}: {NeedLevel(level).label}",
        restricted=restricted,
    )
    audit_record(
        user=user,
        action=AuditAction.CASE_NEED,
        object_type="case",
        object_id=case.pk,
        fields=["health"] if restricted else [],
        detail={"person": case.person_id, "pathway": pathway},
    )
    return need


# Plan ---------------------------------------------------------------------------------------------


def _snapshot(plan: Plan, user: User, change: str) -> PlanVersion:
    plan.refresh_from_db()
    snapshot = {
        "status": plan.status,
        "requirements": [
            {
                "text": r.text,
                "due_date": r.due_date.isoformat(),
                "how_checked": r.how_checked,
                "withdrawn": r.withdrawn,
            }
            for r in plan.requirements.order_by("id")
        ],
        "actions": [
            {
                "text": a.text,
                "pathway": a.pathway,
                "owner_agency": a.owner_agency.name,
                "owner_worker": a.owner_worker.get_full_name() if a.owner_worker else "",
                "due_date": a.due_date.isoformat(),
                "status": a.status,
                "victim_safety": a.victim_safety,
                "action_type": a.action_type,
            }
            for a in plan.actions.select_related("owner_agency", "owner_worker").order_by("id")
        ],
    }
    return PlanVersion.objects.create(
        plan=plan, number=plan.version, status=plan.status, snapshot=snapshot, change=change, saved_by=user
    )


def _plan_changed(plan: Plan, user: User, change: str, *, restricted: bool = False) -> PlanVersion:
    saved = _snapshot(plan, user, change)
    # A health or substance-misuse action's text is restricted on the timeline as on the plan.
    _event(plan.case, user, EventKind.PLAN, change, restricted=restricted)
    _audit(user, AuditAction.CASE_PLAN, plan.case, version=saved.number)
    return saved


def _requirement_checked(plan: Plan, *, text: str, how_checked: str, due_date: date) -> None:
    _open_case(plan.case)
    problems = rules.requirement_problems(text=text, how_checked=how_checked)
    due = rules.due_date_problem(due=due_date, case_start=plan.case.start_date)
    if due:
        problems["due_date"] = due
    if problems:
        raise CaseError(problems)


@transaction.atomic
def plan_add_requirement(
    *, user: User, plan: Plan, version: int, text: str, due_date: date, how_checked: str = ""
) -> PlanVersion:
    """Add what the person must do: in a few words, by when, and how it will be checked."""
    _requirement_checked(plan, text=text, how_checked=how_checked, due_date=due_date)
    _save_if_unchanged(plan, version)
    Requirement.objects.create(
        plan=plan, text=text.strip(), due_date=due_date, how_checked=how_checked.strip()
    )
    return _plan_changed(plan, user, _("Requirement added: %(text)s") % {"text": text.strip()})


def _requirement(plan: Plan, requirement_id: int) -> Requirement:
    requirement = plan.requirements.filter(pk=requirement_id, withdrawn=False).first()
    if requirement is None:
        raise CaseError({"text": _("That requirement is not in this plan")})
    return requirement


@transaction.atomic
def plan_edit_requirement(
    *,
    user: Any,
    plan: Plan,
    version: int,
    requirement_id: int,
    text: str,
    due_date: date,
    how_checked: str,
) -> PlanVersion:
    requirement = _requirement(plan, requirement_id)
    _requirement_checked(plan, text=text, how_checked=how_checked, due_date=due_date)
    _save_if_unchanged(plan, version)
    requirement.text, requirement.due_date, requirement.how_checked = (
        text.strip(),
        due_date,
        how_checked.strip(),
    )
    requirement.save(update_fields=["text", "due_date", "how_checked"])
    return _plan_changed(plan, user, _("Requirement changed: %(text)s") % {"text": requirement.text})


@transaction.atomic
def plan_withdraw_requirement(*, user: Any, plan: Plan, version: int, requirement_id: int) -> PlanVersion:
    """Withdraw a requirement: it stays in the plan's versions, no longer asked of the person."""
    _open_case(plan.case)
    requirement = _requirement(plan, requirement_id)
    _save_if_unchanged(plan, version)
    requirement.withdrawn = True
    requirement.save(update_fields=["withdrawn"])
    return _plan_changed(plan, user, _("Requirement withdrawn: %(text)s") % {"text": requirement.text})


def _action_checked(
    plan: Plan,
    *,
    text: str,
    owner_agency: Agency,
    owner_worker: Any,
    due_date: date,
    pathway: str,
    action_type: str = "",
) -> None:
    case = plan.case
    _open_case(case)
    problems: dict[str, str] = {}
    if not text.strip():
        problems["text"] = _("Say what the agency will do")
    if action_type and action_type not in offered(lists().action_types):
        problems["action_type"] = _("Choose one of the configured types of action")
    if pathway and pathway not in Pathway.values:
        problems["pathway"] = _("Choose a pathway")
    if not case.scheme.agencies.filter(pk=owner_agency.pk).exists():
        problems["owner_agency"] = _("Choose an agency of the case's scheme")
    elif owner_worker is not None:
        owner = rules.owner_problem(
            owner_agency_id=owner_agency.pk,
            worker_agency_id=owner_worker.agency_id,
            worker_in_scheme=SchemeMembership.objects.filter(
                user=owner_worker, scheme=case.scheme_id
            ).exists(),
        )
        if owner:
            problems["owner_worker"] = owner
    due = rules.due_date_problem(due=due_date, case_start=case.start_date)
    if due:
        problems["due_date"] = due
    if problems:
        raise CaseError(problems)


@transaction.atomic
def plan_add_action(
    *,
    user: User,
    plan: Plan,
    version: int,
    text: str,
    owner_agency: Agency,
    due_date: date,
    pathway: str = "",
    owner_worker: Any = None,
    victim_safety: bool = False,
    action_type: str = "",
) -> PlanVersion:
    """Add what an agency will do; its worker, if named, works for that agency in the case's scheme."""
    _action_checked(
        plan,
        text=text,
        owner_agency=owner_agency,
        owner_worker=owner_worker,
        due_date=due_date,
        pathway=pathway,
        action_type=action_type,
    )
    _save_if_unchanged(plan, version)
    PlanAction.objects.create(
        plan=plan,
        text=text.strip(),
        pathway=pathway,
        owner_agency=owner_agency,
        owner_worker=owner_worker,
        due_date=due_date,
        victim_safety=victim_safety,
        action_type=action_type,
    )
    return _plan_changed(
        plan,
        user,
        _("Action for %(agency)s added: %(text)s") % {"agency": owner_agency.name, "text": text.strip()},
        restricted=pathway in RESTRICTED_PATHWAYS,
    )


@transaction.atomic
def plan_edit_action(
    *,
    user: User,
    plan: Plan,
    version: int,
    action_id: int,
    text: str,
    owner_agency: Agency,
    due_date: date,
    pathway: str = "",
    owner_worker: User | None = None,
    victim_safety: bool = False,
    action_type: str = "",
) -> PlanVersion:
    action = plan.actions.filter(pk=action_id).first()
    if action is None:
        raise CaseError({"text": _("That action is not in this plan")})
    _action_checked(
        plan,
        text=text,
        owner_agency=owner_agency,
        owner_worker=owner_worker,
        due_date=due_date,
        pathway=pathway,
        action_type=action_type,
    )
    _save_if_unchanged(plan, version)
    action.text, action.owner_agency, action.owner_worker = text.strip(), owner_agency, owner_worker
    action.due_date, action.pathway, action.victim_safety = due_date, pathway, victim_safety
    action.action_type = action_type
    action.save(
        update_fields=[
            "text",
            "owner_agency",
            "owner_worker",
            "due_date",
            "pathway",
            "victim_safety",
            "action_type",
        ]
    )
    return _plan_changed(
        plan,
        user,
        _("Action for %(agency)s changed: %(text)s") % {"agency": owner_agency.name, "text": action.text},
    )


@transaction.atomic
def plan_action_status(*, user: User, plan: Plan, version: int, action_id: int, status: str) -> PlanVersion:
    """Move an action on, or withdraw it (status cancelled): it stays in the plan's versions."""
    _open_case(plan.case)
    action = plan.actions.filter(pk=action_id).first()
    if action is None:
        raise CaseError({"status": _("That action is not in this plan")})
    if status not in ActionStatus.values:
        raise CaseError({"status": _("Choose a status")})
    _save_if_unchanged(plan, version)
    action.status = status
    action.save(update_fields=["status"])
    return _plan_changed(
        plan,
        user,
        _("Action “%(text)s” is now %(status)s")
        % {"text": action.text, "status": ActionStatus(status).label.lower()},
        restricted=action.pathway in RESTRICTED_PATHWAYS,
    )


def agencies_involved(case: Case) -> dict[int, str]:
    """The agencies that must each own an action: the key workers' agencies, and every partner the
    case has an open referral with (id → name)."""
    involved = {}
    for worker in (case.police_worker, case.probation_worker):
        if worker is not None and worker.agency is not None:
            involved[worker.agency.pk] = worker.agency.name
    for agency_id, name in (
        case.service_referrals.exclude(status__in=rules.CLOSED)
        .values_list("agency_id", "agency__name")
        .distinct()
    ):
        involved[agency_id] = name
    return involved


@transaction.atomic
def plan_activate(*, user: User, plan: Plan, version: int) -> PlanVersion:
    """Make the plan active, only if it says concretely what the person must do, each agency
    involved owns an action, and every need is covered."""
    case = plan.case
    _open_case(case)
    live = plan.actions.exclude(status=ActionStatus.CANCELLED)
    requirements = plan.requirements.filter(withdrawn=False).values_list("text", "how_checked")
    problems = rules.plan_activation_problems(
        requirements=rules.concrete_requirements(requirements),
        needs=[rules.NeedRow(n.pathway, n.level, n.no_action_reason) for n in case.needs.all()],
        action_pathways=live.values_list("pathway", flat=True),
        domestic_abuse=case.domestic_abuse,
        victim_safety_actions=live.filter(victim_safety=True).count(),
    )
    problems += rules.agency_action_problems(
        agencies_involved=agencies_involved(case),
        action_agencies=live.values_list("owner_agency_id", flat=True),
    )
    if problems:
        raise CaseError({f"activate-{i}": p for i, p in enumerate(problems)})
    _save_if_unchanged(plan, version, status=PlanStatus.ACTIVE)
    return _plan_changed(plan, user, _("Plan made active"))


# Referrals to services ----------------------------------------------------------------------------


@transaction.atomic
def referral_send(*, user: User, case: Case, service: str, agency: Agency, reason: str) -> ServiceReferral:
    """Refer to a partner service: the partner is granted only the field groups the service needs."""
    spec = lists().service(service)
    errors: dict[str, str] = {}
    if spec is None or not spec.active:
        errors["service"] = _("Choose a service")
    if not reason.strip():
        errors["reason"] = _("Give the reason for the referral")
    if case.status != CaseStatus.ACTIVE:
        errors["service"] = _("Only a managed case can be referred to a service")
    if errors:
        raise CaseError(errors)
    assert spec is not None
    today = timezone.localdate()
    grant = PersonAccessGrant.objects.create(
        person=case.person,
        agency=agency,
        field_groups=list(spec.field_groups),
        purpose=f"Referral to {spec.label}",
        granted_by=user,
    )
    referral = ServiceReferral.objects.create(
        case=case,
        service=service,
        pathway=spec.pathway,
        agency=agency,
        reason=reason.strip(),
        sent_on=today,
        grant=grant,
        sent_by=user,
    )
    plan = Plan.objects.filter(case=case).first()
    if plan is not None:
        # The referral is itself an agency action on the plan; a stale plan form then sees a conflict.
        Plan.objects.filter(pk=plan.pk).update(version=F("version") + 1, updated_at=timezone.now())
        PlanAction.objects.create(
            plan=plan,
            pathway=spec.pathway,
            text=_("Referral to %(service)s") % {"service": spec.label},
            owner_agency=agency,
            due_date=today + REFERRAL_ACTION_DUE,
        )
        _snapshot(plan, user, _("Referral to %(service)s added") % {"service": spec.label})
    restricted = spec.pathway in RESTRICTED_PATHWAYS
    _event(
        case,
        user,
        EventKind.REFERRAL,
        _("Referred to %(service)s (%(agency)s)") % {"service": spec.label, "agency": agency.name},
        restricted=restricted,
    )
    _audit(
        user,
        AuditAction.REFERRAL_SEND,
        case,
        referral=referral.pk,
        agency=agency.code,
        field_groups=list(spec.field_groups),
    )
    return referral


@transaction.atomic
def referral_update(
    *,
    user: User,
    referral: ServiceReferral,
    version: int,
    status: str,
    on: date,
    reason: str = "",
    outcome: str = "",
) -> ServiceReferral:
    """Move a referral on. Its dates keep their order (sent ≤ accepted ≤ started ≤ closed ≤ today),
    and a closing referral records its outcome, which is what says whether the need was met."""
    problems: dict[str, str] = {}
    problem = rules.referral_transition_problem(referral.status, status, reason)
    if problem:
        problems["status" if status not in rules.NEEDS_REASON or reason.strip() else "reason"] = problem
    else:
        outcome_problem = rules.referral_outcome_problem(status, outcome)
        if outcome_problem:
            problems["outcome"] = outcome_problem
    dates: dict[str, Any] = {}
    if status == ReferralStatus.ACCEPTED:
        dates["accepted_on"] = on
    elif status == ReferralStatus.STARTED:
        dates["started_on"] = on
    if status in rules.CLOSED:
        dates["closed_on"] = on
    known = {
        "sent_on": referral.sent_on,
        "accepted_on": referral.accepted_on,
        "started_on": referral.started_on,
        **dates,
    }
    for field in dates:
        date_problem = rules.referral_date_problem(dates=known, field=field, today=timezone.localdate())
        if date_problem:
            problems["on"] = date_problem
    if problems:
        raise CaseError(problems)
    _save_if_unchanged(
        referral, version, status=status, outcome_reason=reason.strip(), outcome=outcome, **dates
    )
    referral.refresh_from_db()
    if status in rules.CLOSED and referral.grant_id:
        PersonAccessGrant.objects.filter(pk=referral.grant_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    _event(
        referral.case,
        user,
        EventKind.REFERRAL,
        _("%(service)s referral %(status)s")
        % {
            "service": label(lists().services, referral.service),
            "status": ReferralStatus(status).label.lower(),
        }
        + (f": {reason.strip()}" if reason.strip() else ""),
        restricted=referral.pathway in RESTRICTED_PATHWAYS,
    )
    _audit(user, AuditAction.REFERRAL_UPDATE, referral.case, referral=referral.pk, status=status)
    return referral


# Contacts, reviews, transfers ---------------------------------------------------------------------


@transaction.atomic
def contact_record(
    *, user: User, case: Case, contact_type: str, agency: Agency, on: date, outcome: str, notes: str = ""
) -> Contact:
    _open_case(case)
    contact_types = lists().contact_types
    problems: dict[str, str] = {}
    if contact_type not in offered(contact_types):
        problems["contact_type"] = _("Choose a contact type")
    when = rules.contact_date_problem(on=on, outcome=outcome, today=timezone.localdate())
    if when:
        problems["on"] = when
    if problems:
        raise CaseError(problems)
    contact = Contact.objects.create(
        case=case,
        contact_type=contact_type,
        agency=agency,
        worker=user,
        on=on,
        outcome=outcome,
        notes=notes.strip(),
    )
    _event(
        case,
        user,
        EventKind.CONTACT,
        f"{label(contact_types, contact_type)} ({agency.name}), {on:%d %b %Y}: {contact.get_outcome_display()}",
    )
    _audit(user, AuditAction.CASE_CONTACT, case, contact=contact.pk)
    return contact


@transaction.atomic
def review_complete(
    *, user: User, case: Case, notes: str, next_due: date, version: int | None = None
) -> Review:
    """Record the review that is due and set when the next one is due.

    `version` is the case's version when the review form was opened: if someone saved the case (a
    review included) since, Conflict is raised rather than replacing their review. None only where
    no form was shown (demo data).
    """
    _open_case(case)
    problems: dict[str, str] = {}
    if not notes.strip():
        problems["notes"] = _("Write what the review found")
    today = timezone.localdate()
    last = (
        case.reviews.exclude(completed_on=None)
        .order_by("-completed_on")
        .values_list("completed_on", flat=True)
    )
    when = rules.review_date_problem(next_due=next_due, today=today, last_review=last.first())
    if when:
        problems["next_due"] = when
    if problems:
        raise CaseError(problems)
    if version is not None:
        _bump_case(case, version)
    review = case.reviews.filter(completed_on__isnull=True).order_by("due_date").first()
    if review is None:
        review = Review(case=case, due_date=today)
    review.completed_on, review.notes, review.completed_by = today, notes.strip(), user
    review.save()
    Review.objects.create(case=case, due_date=next_due)
    _event(case, user, EventKind.REVIEW, notes.strip())
    _audit(user, AuditAction.CASE_REVIEW, case, review=review.pk)
    return review


@transaction.atomic
def case_transfer(
    *,
    user: User,
    case: Case,
    version: int,
    scheme: Scheme,
    police_worker: Any,
    probation_worker: Any,
    reason: str,
    training_override: str = "",
) -> Case:
    """Move the case to another scheme or other key workers. A worker newly given a case whose flags
    need training must hold it in date, or a coordinator records why not (training_override)."""
    _open_case(case)
    if not reason.strip():
        raise CaseError({"reason": _("Give the reason for the transfer")})
    if scheme.pk != case.scheme_id and Case.objects.filter(scheme=scheme, person=case.person_id).exists():
        raise CaseError({"scheme": _("The person already has a case in that scheme")})
    shortfalls = _allocation_checked(
        user=user,
        case=case,
        stream=case.stream,
        allocated={"police_worker": police_worker, "probation_worker": probation_worker},
        override=training_override,
    )
    _bump_case(case, version, scheme=scheme, police_worker=police_worker, probation_worker=probation_worker)
    workforce.allocation_overrides_record(
        user=user, case=case, shortfalls=shortfalls, reason=training_override
    )
    SchemePerson.objects.get_or_create(
        scheme=scheme, person=case.person, defaults={"reason": "Case transferred"}
    )
    _event(case, user, EventKind.TRANSFER, reason.strip())
    _audit(user, AuditAction.CASE_TRANSFER, case, scheme=scheme.code)
    return case


# Configurable lists ------------------------------------------------------------------------------

SHAREABLE_GROUPS = ("identity", "offending_history", "health")


def _list_entry_problems(*, kind: str, label: str, pathway: str, field_groups: list[str]) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not label.strip():
        problems["label"] = _("Enter the label people will see")
    if kind == ListKind.SERVICE:
        if pathway not in Pathway.values:
            problems["pathway"] = _("Choose the need pathway a referral to this service meets")
        unknown = sorted(set(field_groups) - set(SHAREABLE_GROUPS))
        if unknown:
            problems["field_groups"] = _("Unknown parts of the record: %(groups)s") % {
                "groups": ", ".join(unknown)
            }
        elif "identity" not in field_groups:
            problems["field_groups"] = _("A referral must at least share who the person is (identity)")
    return problems


def _list_entry_audit(user: User, action: AuditAction, entry: ListEntry) -> None:
    audit_record(
        user=user,
        action=action,
        object_type="list_entry",
        object_id=entry.pk,
        detail={
            "kind": entry.kind,
            "code": entry.code,
            "label": entry.label,
            "active": entry.active,
            "pathway": entry.pathway,
            "field_groups": entry.field_groups,
        },
    )


@transaction.atomic
def list_entry_create(
    *, user: User, kind: str, code: str, label: str, pathway: str = "", field_groups: list[str] | None = None
) -> ListEntry:
    """Add an entry to a configurable list. Its code is permanent: records store it."""
    groups = list(field_groups or [])
    problems = _list_entry_problems(kind=kind, label=label, pathway=pathway, field_groups=groups)
    if kind not in ListKind.values:
        problems["kind"] = _("Choose which list to add to")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", code):
        problems["code"] = _(
            "Enter a code of lower-case letters, digits and underscores, starting with a letter"
        )
    elif ListEntry.objects.filter(kind=kind, code=code).exists():
        problems["code"] = _("This list already has an entry with code %(code)s") % {"code": code}
    if problems:
        raise CaseError(problems)
    last = (
        ListEntry.objects.filter(kind=kind).order_by("-position").values_list("position", flat=True).first()
    )
    entry = ListEntry.objects.create(
        kind=kind,
        code=code,
        label=label.strip(),
        pathway=pathway if kind == ListKind.SERVICE else "",
        field_groups=groups if kind == ListKind.SERVICE else [],
        position=(last or 0) + 1,
    )
    _list_entry_audit(user, AuditAction.LISTS_CREATE, entry)
    return entry


@transaction.atomic
def list_entry_update(
    *,
    user: User,
    entry: ListEntry,
    version: int,
    label: str,
    active: bool,
    pathway: str = "",
    field_groups: list[str] | None = None,
) -> ListEntry:
    """Rename, retire or bring back an entry (and, for a service, what a referral to it shares)."""
    groups = list(field_groups or [])
    problems = _list_entry_problems(kind=entry.kind, label=label, pathway=pathway, field_groups=groups)
    if not active and entry.active:
        others = ListEntry.objects.filter(kind=entry.kind, active=True).exclude(pk=entry.pk)
        if not others.exists():
            problems["active"] = _(
                "This is the last entry offered in its list: add another before retiring it"
            )
    if problems:
        raise CaseError(problems)
    changes: dict[str, Any] = {"label": label.strip(), "active": active}
    if entry.kind == ListKind.SERVICE:
        changes |= {"pathway": pathway, "field_groups": groups}
    _save_if_unchanged(entry, version, **changes)
    entry.refresh_from_db()
    _list_entry_audit(user, AuditAction.LISTS_UPDATE, entry)
    return entry
