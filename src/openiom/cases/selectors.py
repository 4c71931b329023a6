"""Every read for the panel and cases. Who may see which case is decided by access.selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import models as m
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from openiom.access.policy import Scope, scope_for
from openiom.access.selectors import people_visible_to, user_schemes
from openiom.cases import rules
from openiom.cases.models import (
    RESTRICTED_PATHWAYS,
    Case,
    CaseStatus,
    Contact,
    ContactOutcome,
    Need,
    PanelDecision,
    Pathway,
    Plan,
    ReferralStatus,
    Review,
    ServiceReferral,
)
from openiom.cohorts.models import Candidate
from openiom.people.models import Person

RISK_REVIEW_WARNING = timedelta(days=14)
MISSED_WINDOW = timedelta(days=90)
CONTACTS_SHOWN = 25
CASELOAD_PAGE = 50


def cases_visible_to(user: Any, action: str) -> QuerySet[Case]:
    """Cases of the user's schemes whose person the user may see for this action."""
    scope = scope_for(user, action)
    if scope == Scope.ALL:
        return Case.objects.all()
    if scope == Scope.SCHEME:
        return Case.objects.filter(
            scheme__in=user_schemes(user), person__in=people_visible_to(user, action).values("pk")
        )
    return Case.objects.none()


def case_get(*, user: Any, case_id: int, action: str = "case.view") -> Case | None:
    return (
        cases_visible_to(user, action)
        .select_related("person", "scheme", "lead_agency", "police_worker", "probation_worker")
        .filter(pk=case_id)
        .first()
    )


def referrals_visible_to(user: Any) -> QuerySet[ServiceReferral]:
    """Referrals to the partner's own agency whose person a live grant lets them see."""
    if scope_for(user, "referral.update") != Scope.REFERRAL or getattr(user, "agency_id", None) is None:
        return ServiceReferral.objects.none()
    return ServiceReferral.objects.filter(
        agency_id=user.agency_id,
        case__person__in=people_visible_to(user, "referral.update").values("pk"),
    ).select_related("case__person", "agency")


# Selection panel ---------------------------------------------------------------------------------


@dataclass
class PanelEntry:
    person: Person
    case: Case | None
    candidacies: list[Candidate] = field(default_factory=list)


def panel_queue(*, user: Any, limit: int = 200) -> list[PanelEntry]:
    """People awaiting a decision: referrals and deferrals, then cohort candidates not yet decided on."""
    visible = people_visible_to(user, "panel.view").values("pk")
    waiting = (
        cases_visible_to(user, "panel.view")
        .filter(status__in=[CaseStatus.REFERRED, CaseStatus.DEFERRED])
        .select_related("person")
        .order_by("status", "updated_at")[:limit]
    )
    entries = {c.person_id: PanelEntry(c.person, c) for c in waiting}
    decided = Case.objects.filter(scheme__in=user_schemes(user)).values("person_id")
    candidates = (
        Candidate.objects.filter(person__in=visible)
        .exclude(person__in=decided)
        .select_related("person", "run")
        .order_by("-run__created_at", "person__family_name")[:limit]
    )
    for candidate in candidates:
        entry = entries.setdefault(candidate.person_id, PanelEntry(candidate.person, None))
        entry.candidacies.append(candidate)
    return list(entries.values())


def panel_person(*, user: Any, person: Person) -> dict[str, Any]:
    """Everything the panel needs about one person: their case, candidacies, referrals and decisions."""
    case = cases_visible_to(user, "panel.view").filter(person=person).select_related("scheme").first()
    return {
        "case": case,
        "candidacies": list(
            Candidate.objects.filter(person=person).select_related("run").order_by("-run__created_at")[:10]
        ),
        "referrals": list(
            case.panel_referrals.select_related("agency", "referred_by").order_by("-referred_at")
        )
        if case
        else [],
        "decisions": decision_history(person=person, user=user),
    }


def decision_history(*, person: Person, user: Any) -> list[PanelDecision]:
    return list(
        PanelDecision.objects.filter(case__in=cases_visible_to(user, "panel.view"), case__person=person)
        .select_related("decided_by", "case__scheme")
        .order_by("-decided_at", "-id")
    )


# Caseload ----------------------------------------------------------------------------------------

CASELOAD_SORTS = {
    "attention": ("-attention", "next_review", "person__family_name"),
    "name": ("person__family_name", "person__given_names"),
    "risk": ("-risk_rank", "person__family_name"),
    "review": ("next_review", "person__family_name"),
}


def _count(qs: QuerySet[Any]) -> Coalesce:
    return Coalesce(
        Subquery(
            qs.order_by().values("case_id").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def caseload(
    *,
    user: Any,
    mine: bool = False,
    stream: str = "",
    attention_only: bool = False,
    sort: str = "attention",
    today: date | None = None,
) -> QuerySet[Case]:
    """Managed cases with what needs attention, computed in the one query whatever the caseload."""
    today = today or timezone.localdate()
    qs = cases_visible_to(user, "caseload.view").filter(status=CaseStatus.ACTIVE)
    if mine:
        qs = qs.filter(Q(police_worker=user) | Q(probation_worker=user))
    if stream:
        qs = qs.filter(stream=stream)
    open_reviews = Review.objects.filter(case=OuterRef("pk"), completed_on__isnull=True)
    qs = qs.annotate(
        next_review=Subquery(open_reviews.order_by("due_date").values("due_date")[:1]),
        overdue_reviews=_count(open_reviews.filter(due_date__lt=today)),
        referrals_waiting=_count(
            ServiceReferral.objects.filter(case=OuterRef("pk"), status=ReferralStatus.SENT)
        ),
        missed=_count(
            Contact.objects.filter(
                case=OuterRef("pk"), outcome=ContactOutcome.MISSED, on__gte=today - MISSED_WINDOW
            )
        ),
    ).select_related("person", "police_worker", "probation_worker", "lead_agency")
    qs = qs.annotate(
        risk_due=m.Case(
            m.When(
                Q(risk_review_date__isnull=True) | Q(risk_review_date__lte=today + RISK_REVIEW_WARNING),
                then=1,
            ),
            default=0,
            output_field=IntegerField(),
        ),
        risk_rank=m.Case(
            *(
                m.When(risk_level=level, then=rank)
                for rank, level in enumerate(["low", "medium", "high", "very_high"], 1)
            ),
            default=0,
            output_field=IntegerField(),
        ),
    )
    qs = qs.annotate(
        attention=m.Case(m.When(overdue_reviews__gt=0, then=1), default=0, output_field=IntegerField())
        + m.Case(m.When(referrals_waiting__gt=0, then=1), default=0, output_field=IntegerField())
        + m.Case(m.When(missed__gt=0, then=1), default=0, output_field=IntegerField())
        + F("risk_due")
    )
    if attention_only:
        qs = qs.filter(attention__gt=0)
    return qs.order_by(*CASELOAD_SORTS.get(sort, CASELOAD_SORTS["attention"]))


# The case page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedView:
    pathway: str
    label: str
    need: Need | None
    met: rules.NeedMet | None
    restricted: bool


@dataclass(frozen=True)
class TimelineRow:
    on: date
    kind: str
    text: str


def case_page(*, case: Case, health_open: bool, today: date | None = None) -> dict[str, Any]:
    """The case page's data in a fixed number of queries, however long the case has run."""
    from openiom.offending.selectors import timeline_for

    today = today or timezone.localdate()
    referrals = list(case.service_referrals.select_related("agency").order_by("-sent_on", "-id"))
    by_pathway: dict[str, list[str]] = {}
    for r in referrals:
        by_pathway.setdefault(r.pathway, []).append(r.status)
    needs = {n.pathway: n for n in case.needs.all()}
    need_rows = []
    for pathway in Pathway:
        restricted = pathway in RESTRICTED_PATHWAYS
        need = needs.get(pathway)
        hidden = restricted and not health_open
        need_rows.append(
            NeedView(
                pathway=pathway.value,
                label=str(pathway.label),
                need=None if hidden else need,
                met=None
                if hidden or need is None
                else rules.need_met(need.level, by_pathway.get(pathway, [])),
                restricted=restricted,
            )
        )
    if not health_open:
        referrals = [r for r in referrals if r.pathway not in RESTRICTED_PATHWAYS]
    plan = Plan.objects.filter(case=case).first()
    contacts = list(case.contacts.select_related("agency", "worker")[:CONTACTS_SHOWN])
    contact_counts = dict(
        case.contacts.order_by().values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n")
    )
    events = case.events.select_related("by")
    if not health_open:
        events = events.filter(restricted=False)
    rows = [TimelineRow(e.at.date(), str(e.get_kind_display()), e.text) for e in events[:200]]
    rows += [
        TimelineRow(t.event.outcome_date, str(t.event.get_event_type_display()), t.offence_description)
        for t in timeline_for(person=case.person)
    ]
    rows.sort(key=lambda r: r.on, reverse=True)
    reviews = list(case.reviews.select_related("completed_by").order_by("-due_date"))
    next_review = min((r.due_date for r in reviews if r.completed_on is None), default=None)
    return {
        "needs": need_rows,
        "plan": plan,
        "requirements": list(plan.requirements.all()) if plan else [],
        "actions": list(plan.actions.select_related("owner_agency", "owner_worker")) if plan else [],
        "versions": list(plan.versions.select_related("saved_by")[:20]) if plan else [],
        "referrals": referrals,
        "contacts": contacts,
        "contact_counts": {
            "attended": contact_counts.get(ContactOutcome.ATTENDED, 0),
            "missed": contact_counts.get(ContactOutcome.MISSED, 0),
            "planned": contact_counts.get(ContactOutcome.PLANNED, 0),
        },
        "reviews": reviews,
        "next_review": next_review,
        "review_overdue": next_review is not None and next_review < today,
        "decisions": list(case.decisions.select_related("decided_by")),
        "timeline": rows,
    }
