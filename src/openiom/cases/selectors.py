"""Every read for the panel and cases. Who may see which case is decided by access.selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypedDict

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from openiom.access.models import Agency, AgencyKind, Scheme, SharingAgreement
from openiom.access.policy import Scope, scope_for
from openiom.access.selectors import agreements_in_force, people_visible_to, scheme_scope, user_schemes
from openiom.accounts.models import User
from openiom.cases import rules
from openiom.cases.models import (
    RESTRICTED_PATHWAYS,
    Case,
    CaseStatus,
    Contact,
    ContactOutcome,
    Decision,
    EventKind,
    ListEntry,
    Need,
    PanelDecision,
    PanelReferral,
    Pathway,
    Plan,
    PlanAction,
    PlanVersion,
    ReferralStatus,
    Requirement,
    Review,
    ServiceReferral,
)
from openiom.cohorts.models import Candidate
from openiom.offending.models import EventType, OffendingEvent
from openiom.people.models import Person
from openiom.vocabulary import PROVEN
from openiom.web.formats import choice_labels

MISSED_WINDOW = timedelta(days=90)
CONTACTS_SHOWN = 25
CASELOAD_PAGE = 50


def cases_visible_to(user: User, action: str) -> QuerySet[Case]:
    """Cases of the user's schemes whose person the user may see for this action."""
    scope = scope_for(user, action)
    if scope == Scope.ALL:
        return Case.objects.all()
    if scope == Scope.SCHEME:
        visible = scheme_scope(user)
        return Case.objects.filter(visible.people_of("person"), scheme_id__in=sorted(visible.scheme_ids))
    return Case.objects.none()


def case_get(*, user: User, case_id: int, action: str = "case.view") -> Case | None:
    return (
        cases_visible_to(user, action)
        .select_related("person", "scheme", "lead_agency", "police_worker", "probation_worker")
        .filter(pk=case_id)
        .first()
    )


def referrals_visible_to(user: User) -> QuerySet[ServiceReferral]:
    """Referrals to the partner's own agency whose person a live grant lets them see."""
    if scope_for(user, "referral.update") != Scope.REFERRAL or user.agency_id is None:
        return ServiceReferral.objects.none()
    return ServiceReferral.objects.filter(
        agency_id=user.agency_id,
        case__person__in=people_visible_to(user, "referral.update").values("pk"),
    ).select_related("case__person", "agency")


# Selection panel ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelOffending:
    """What the panel reads first about a person's offending, from their records."""

    proven: int
    proven_last_12_months: int
    arrests: int
    latest_proven: date | None
    domestic_abuse: bool


@dataclass
class PanelEntry:
    person: Person
    case: Case | None
    candidacies: list[Candidate] = field(default_factory=list)
    offending: PanelOffending | None = None
    deferred_because: str = ""

    @property
    def latest_referral(self) -> PanelReferral | None:
        referrals: list[PanelReferral] = getattr(self.case, "queue_referrals", [])
        return referrals[-1] if referrals else None

    @property
    def flags(self) -> list[str]:
        """Risk flags the panel weighs, as labels: MAPPA, domestic abuse in the history, case risk."""
        found = []
        if self.case is not None and self.case.mappa_level:
            found.append(_("MAPPA level %(level)d") % {"level": self.case.mappa_level})
        if (self.offending and self.offending.domestic_abuse) or (self.case and self.case.domestic_abuse):
            found.append(_("Domestic abuse"))
        if self.case is not None and self.case.risk_level:
            found.append(_("%(risk)s risk of serious harm") % {"risk": self.case.get_risk_level_display()})
        return found


def latest_per_definition(candidacies: list[Candidate]) -> list[Candidate]:
    """One candidacy per definition, from its most recent run: older runs of the same definition
    say the same thing less up to date. Expects candidacies newest first."""
    seen: set[str] = set()
    kept = []
    for candidacy in candidacies:
        if candidacy.run.definition_id not in seen:
            seen.add(candidacy.run.definition_id)
            kept.append(candidacy)
    return kept


def panel_offending(*, person_ids: list[int], as_of: date) -> dict[int, PanelOffending]:
    """Each person's offending summary for the panel in one query, however many people wait."""
    year_ago = as_of - timedelta(days=365)
    proven = Q(event_type__in=list(PROVEN))
    rows = (
        OffendingEvent.objects.filter(person_id__in=person_ids, outcome_date__lte=as_of)
        .values("person_id")
        .annotate(
            proven=Count("pk", filter=proven),
            recent=Count("pk", filter=proven & Q(outcome_date__gt=year_ago)),
            arrests=Count("pk", filter=Q(event_type=EventType.ARREST)),
            latest=Max("outcome_date", filter=proven),
            abuse=Count("pk", filter=Q(domestic_abuse=True)),
        )
    )
    return {
        r["person_id"]: PanelOffending(r["proven"], r["recent"], r["arrests"], r["latest"], r["abuse"] > 0)
        for r in rows
    }


def panel_queue(*, user: User, limit: int = 200) -> list[PanelEntry]:
    """People awaiting a decision: referrals and deferrals, then cohort candidates not yet decided on,
    each with the definitions that selected them, their offending and their flags."""
    visible = people_visible_to(user, "panel.view").values("pk")
    waiting = (
        cases_visible_to(user, "panel.view")
        .filter(status__in=[CaseStatus.REFERRED, CaseStatus.DEFERRED])
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "panel_referrals",
                queryset=PanelReferral.objects.order_by("referred_at", "pk"),
                to_attr="queue_referrals",
            ),
            Prefetch(
                "decisions",
                queryset=PanelDecision.objects.filter(decision=Decision.DEFER).order_by("decided_at", "pk"),
                to_attr="deferrals",
            ),
        )
        .order_by("status", "updated_at")[:limit]
    )
    entries = {c.person_id: PanelEntry(c.person, c) for c in waiting}
    for entry in entries.values():
        deferrals: list[PanelDecision] = getattr(entry.case, "deferrals", [])
        if entry.case is not None and entry.case.status == CaseStatus.DEFERRED and deferrals:
            entry.deferred_because = deferrals[-1].rationale
    # A person already decided on (adopted, declined, exited) has left the queue; one referred or
    # deferred is still waiting, and the definitions that selected them are part of why.
    decided = (
        Case.objects.filter(scheme__in=user_schemes(user))
        .exclude(status__in=[CaseStatus.REFERRED, CaseStatus.DEFERRED])
        .values("person_id")
    )
    candidates = (
        Candidate.objects.filter(person__in=visible)
        .exclude(person__in=decided)
        .select_related("person", "run")
        .order_by("-run__created_at", "-run__pk", "person__family_name")[: limit * 10]
    )
    for candidate in candidates:
        if candidate.person_id not in entries and len(entries) >= limit:
            continue
        entry = entries.setdefault(candidate.person_id, PanelEntry(candidate.person, None))
        entry.candidacies.append(candidate)
    offending = panel_offending(person_ids=list(entries), as_of=timezone.localdate())
    for entry in entries.values():
        entry.candidacies = latest_per_definition(entry.candidacies)
        entry.offending = offending.get(entry.person.pk, PanelOffending(0, 0, 0, None, False))
    return list(entries.values())


def panel_person(*, user: User, person: Person) -> dict[str, Any]:
    """Everything the panel needs about one person: their case, the definitions that selected them
    and why, their offending, referrals and decisions."""
    case = cases_visible_to(user, "panel.view").filter(person=person).select_related("scheme").first()
    candidacies = list(
        Candidate.objects.filter(person=person)
        .select_related("run")
        .order_by("-run__created_at", "-run__pk")[:50]
    )
    offending = panel_offending(person_ids=[person.pk], as_of=timezone.localdate())
    entry = PanelEntry(
        person,
        case,
        latest_per_definition(candidacies),
        offending.get(person.pk, PanelOffending(0, 0, 0, None, False)),
    )
    return {
        "case": case,
        "candidacies": entry.candidacies,
        "offending": entry.offending,
        "flags": entry.flags,
        "referrals": list(
            case.panel_referrals.select_related("agency", "referred_by").order_by("-referred_at")
        )
        if case
        else [],
        "decisions": decision_history(person=person, user=user),
    }


def decision_history(*, person: Person, user: User) -> list[PanelDecision]:
    return list(
        PanelDecision.objects.filter(case__in=cases_visible_to(user, "panel.view"), case__person=person)
        .select_related("decided_by", "case__scheme")
        .order_by("-decided_at", "-id")
    )


# Caseload ----------------------------------------------------------------------------------------

RISK_RANK = {"low": 1, "medium": 2, "high": 3, "very_high": 4}
WORKER_NAME = ("first_name", "last_name", "username")


@dataclass(frozen=True)
class CaseloadEntry:
    case_id: int
    family_name: str
    given_names: str
    risk_level: str
    risk_review_date: date | None
    next_review: date | None
    attention: rules.Attention
    police_worker: str  # the worker's display name, "" when none
    probation_worker: str

    @property
    def risk_rank(self) -> int:
        return RISK_RANK.get(self.risk_level, 0)


def _by_name(e: CaseloadEntry) -> tuple[str, str, int]:
    return (e.family_name.casefold(), e.given_names.casefold(), e.case_id)


def _review_key(e: CaseloadEntry) -> tuple[bool, date]:
    # Cases with no open review go last, as in a date-ordered list of reviews.
    return (e.next_review is None, e.next_review or date.min)


CASELOAD_SORTS = {
    "attention": lambda e: (-e.attention.score, *_review_key(e), *_by_name(e)),
    "name": _by_name,
    "risk": lambda e: (-e.risk_rank, *_by_name(e)),
    "review": lambda e: (*_review_key(e), *_by_name(e)),
}


def _worker_name(first: str | None, last: str | None, username: str | None) -> str:
    """As `User.get_full_name() or username`, from plain values."""
    if username is None:
        return ""
    return f"{first or ''} {last or ''}".strip() or username


AttentionCounts = tuple[dict[int, tuple[date | None, int]], dict[int, int], dict[int, int]]


def _attention_counts(visible: QuerySet[Case, Any], today: date) -> AttentionCounts:
    """Per visible case, in one statement: (next open review, overdue reviews), referrals waiting,
    and missed appointments in MISSED_WINDOW.

    Written as SQL because the ORM cannot share one subquery between three grouped counts: as three
    ORM queries, the permission filter was compiled and run three times, a quarter of the caseload's
    response time. The visible cases still come from `cases_visible_to`, compiled by the ORM.
    COUNT(*) lets PostgreSQL count missed appointments from the partial index alone.
    """
    try:
        visible_sql, visible_params = visible.query.sql_with_params()
    except EmptyResultSet:
        # Nothing visible (a lapsed agreement can leave a user no cases): nothing to count.
        return {}, {}, {}
    q = connection.ops.quote_name
    sql = f"""
        WITH visible (id) AS ({visible_sql})
        SELECT case_id, 'review', MIN(due_date), SUM(CASE WHEN due_date < %s THEN 1 ELSE 0 END)
          FROM {q(Review._meta.db_table)}
         WHERE completed_on IS NULL AND case_id IN (SELECT id FROM visible)
         GROUP BY case_id
        UNION ALL
        SELECT case_id, 'waiting', NULL, COUNT(*)
          FROM {q(ServiceReferral._meta.db_table)}
         WHERE status = %s AND case_id IN (SELECT id FROM visible)
         GROUP BY case_id
        UNION ALL
        SELECT case_id, 'missed', NULL, COUNT(*)
          FROM {q(Contact._meta.db_table)}
         WHERE outcome = %s AND {q("on")} >= %s AND case_id IN (SELECT id FROM visible)
         GROUP BY case_id
    """  # noqa: S608 - only table and column names from the models are put into the text
    params = (*visible_params, today, ReferralStatus.SENT, ContactOutcome.MISSED, today - MISSED_WINDOW)
    reviews: dict[int, tuple[date | None, int]] = {}
    waiting: dict[int, int] = {}
    missed: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for case_id, kind, day, n in cursor.fetchall():
            if kind == "review":
                # SQLite returns the computed date as text.
                reviews[case_id] = (date.fromisoformat(day) if isinstance(day, str) else day, int(n))
            else:
                (waiting if kind == "waiting" else missed)[case_id] = int(n)
    return reviews, waiting, missed


def caseload(
    *,
    user: User,
    mine: bool = False,
    stream: str = "",
    attention_only: bool = False,
    sort: str = "attention",
    today: date | None = None,
) -> list[CaseloadEntry]:
    """Every managed case the user may see, with what its table row shows, leading with what needs
    attention, in two queries whatever the caseload: the cases, then the attention counts
    (`_attention_counts`). The rule itself is `rules.attention`."""
    today = today or timezone.localdate()
    cases = cases_visible_to(user, "caseload.view").filter(status=CaseStatus.ACTIVE)
    if mine:
        cases = cases.filter(Q(police_worker=user) | Q(probation_worker=user))
    if stream:
        cases = cases.filter(stream=stream)
    reviews, waiting, missed = _attention_counts(cases.values("pk"), today)
    entries = []
    for row in cases.values_list(
        "pk",
        "person__family_name",
        "person__given_names",
        "risk_level",
        "risk_review_date",
        *(f"{worker}__{name}" for worker in ("police_worker", "probation_worker") for name in WORKER_NAME),
    ):
        pk, family, given, risk_level, risk_review_date = row[:5]
        next_review, overdue = reviews.get(pk, (None, 0))
        flags = rules.attention(
            overdue_reviews=overdue,
            referrals_waiting=waiting.get(pk, 0),
            missed_appointments=missed.get(pk, 0),
            risk_review_date=risk_review_date,
            today=today,
        )
        if attention_only and not flags.score:
            continue
        entries.append(
            CaseloadEntry(
                pk,
                family,
                given,
                risk_level,
                risk_review_date,
                next_review,
                flags,
                police_worker=_worker_name(*row[5:8]),
                probation_worker=_worker_name(*row[8:11]),
            )
        )
    entries.sort(key=CASELOAD_SORTS.get(sort, CASELOAD_SORTS["attention"]))
    return entries


def decision_latest(*, case: Case) -> PanelDecision | None:
    return case.decisions.order_by("-decided_at", "-id").first()


def review_latest(*, case: Case) -> Review | None:
    return case.reviews.filter(completed_on__isnull=False).order_by("-completed_on", "-id").first()


def review_next_due(*, case: Case) -> date | None:
    return (
        case.reviews.filter(completed_on__isnull=True)
        .order_by("due_date")
        .values_list("due_date", flat=True)
        .first()
    )


def case_updated_at(*, case: Case) -> Any:
    return Case.objects.filter(pk=case.pk).values_list("updated_at", flat=True).first()


def lapsed_agreements(*, user: User, today: date | None = None) -> list[SharingAgreement]:
    """The sharing agreements of the user's schemes, with the user's agency a party, that have lapsed
    with none in force in their scheme: why records from other agencies are no longer shown."""
    today = today or timezone.localdate()
    agency_id = getattr(user, "agency_id", None)
    if agency_id is None:
        return []
    schemes = user_schemes(user)
    covered = agreements_in_force(today).filter(scheme__in=schemes, parties=agency_id).values("scheme_id")
    return list(
        SharingAgreement.objects.filter(scheme__in=schemes, parties=agency_id, review_date__lt=today)
        .exclude(scheme_id__in=covered)
        .select_related("scheme")
        .order_by("scheme__name", "-review_date")
    )


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


class ContactCounts(TypedDict):
    attended: int
    missed: int
    planned: int


class CasePageData(TypedDict):
    needs: list[NeedView]
    victim_safety_actions: list[PlanAction]
    referrals: list[ServiceReferral]
    restricted_referrals: int
    contacts: list[Contact]
    contact_counts: ContactCounts
    reviews: list[Review]
    next_review: date | None
    review_overdue: bool
    timeline: list[TimelineRow]


def case_page(*, case: Case, health_open: bool, today: date | None = None) -> CasePageData:
    """The case page's data in a fixed number of queries, however long the case has run."""
    from openiom.offending.selectors import timeline_for

    today = today or timezone.localdate()
    referrals = list(case.service_referrals.select_related("agency").order_by("-sent_on", "-id"))
    by_pathway: dict[str, list[tuple[str, str]]] = {}
    for r in referrals:
        by_pathway.setdefault(r.pathway, []).append((r.status, r.outcome))
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
    restricted_referrals = 0
    if not health_open:
        shown = [r for r in referrals if r.pathway not in RESTRICTED_PATHWAYS]
        restricted_referrals, referrals = len(referrals) - len(shown), shown
    contacts = list(case.contacts.select_related("agency")[:CONTACTS_SHOWN])
    contact_counts = dict(
        case.contacts.order_by().values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n")
    )
    events = case.events.all()
    if not health_open:
        events = events.filter(restricted=False)
    kinds = choice_labels(EventKind)
    event_types = choice_labels(EventType)
    rows = [
        TimelineRow(timezone.localdate(at), kinds.get(kind, kind), text)
        for at, kind, text in events.values_list("at", "kind", "text")[:200]
    ]
    rows += [
        TimelineRow(t.event.outcome_date, event_types.get(t.event.event_type, ""), t.offence_description)
        for t in timeline_for(person=case.person)
    ]
    rows.sort(key=lambda r: r.on, reverse=True)
    reviews = list(case.reviews.order_by("-due_date"))
    next_review = min((r.due_date for r in reviews if r.completed_on is None), default=None)
    return {
        "needs": need_rows,
        "victim_safety_actions": list(
            PlanAction.objects.filter(plan__case=case, victim_safety=True).select_related("owner_agency")
        ),
        "referrals": referrals,
        "restricted_referrals": restricted_referrals,
        "contacts": contacts,
        "contact_counts": {
            "attended": contact_counts.get(ContactOutcome.ATTENDED, 0),
            "missed": contact_counts.get(ContactOutcome.MISSED, 0),
            "planned": contact_counts.get(ContactOutcome.PLANNED, 0),
        },
        "reviews": reviews,
        "next_review": next_review,
        "review_overdue": next_review is not None and next_review < today,
        "timeline": rows,
    }


def plan_page(*, plan: Plan, health_open: bool) -> dict[str, Any]:
    """The plan page's data: requirements, actions and the latest versions, in three queries.

    Health and substance-misuse actions are left out unless health is open; `restricted_actions`
    counts them, for the placeholder an entitled user sees.
    """
    actions = list(plan.actions.select_related("owner_agency", "owner_worker"))
    shown = actions if health_open else [a for a in actions if a.pathway not in RESTRICTED_PATHWAYS]
    versions = list(plan.versions.select_related("saved_by")[:20])
    hidden_texts = {a.text for a in actions if a.pathway in RESTRICTED_PATHWAYS}
    return {
        "requirements": list(plan.requirements.all()),
        "actions": shown,
        "restricted_actions": len(actions) - len(shown),
        "versions": [version_row(v, health_open=health_open, hidden_texts=hidden_texts) for v in versions],
    }


@dataclass(frozen=True)
class VersionRow:
    number: int
    saved_at: Any
    status: str
    saved_by: str
    change: str
    requirements: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    restricted_actions: int


def version_row(version: PlanVersion, *, health_open: bool, hidden_texts: set[str]) -> VersionRow:
    """A saved plan version as the page shows it: restricted actions left out unless health is open.

    Older versions' change lines were written before they were marked restricted, so a change that
    names a restricted action's text is withheld too.
    """
    actions = list(version.snapshot.get("actions", []))
    change = version.change
    if not health_open:
        hidden = {a["text"] for a in actions if a.get("pathway") in RESTRICTED_PATHWAYS} | hidden_texts
        actions = [a for a in actions if a.get("pathway") not in RESTRICTED_PATHWAYS]
        if any(text and text in change for text in hidden):
            change = str(_("A restricted health action changed"))
    return VersionRow(
        number=version.number,
        saved_at=version.saved_at,
        status=version.get_status_display(),
        saved_by=version.saved_by.get_full_name() if version.saved_by else "",
        change=change,
        requirements=list(version.snapshot.get("requirements", [])),
        actions=actions,
        restricted_actions=len(version.snapshot.get("actions", [])) - len(actions),
    )


# Configurable lists -----------------------------------------------------------------------------


def list_entries() -> list[ListEntry]:
    return list(ListEntry.objects.order_by("kind", "position", "id"))


def list_entry_get(*, entry_id: int) -> ListEntry | None:
    return ListEntry.objects.filter(pk=entry_id).first()


# Reads the pages need beside their main data ------------------------------------------------------


def panel_scheme(*, user: User, person_id: int) -> Scheme | None:
    """The scheme a panel action applies to: the person's case's scheme, else the user's first scheme."""
    schemes = user_schemes(user)
    case = Case.objects.filter(person_id=person_id, scheme__in=schemes).select_related("scheme").first()
    return case.scheme if case else schemes.order_by("name").first()


def scheme_case(*, scheme: Scheme, person: Person) -> Case | None:
    return Case.objects.filter(scheme=scheme, person=person).first()


def decision_candidacy(*, person: Person) -> Candidate | None:
    """The candidacy a panel decision records: the person's most recent cohort run is what the panel
    was shown, so the decision is measured against that selection."""
    return person.cohort_candidacies.order_by("-run__created_at").first()


def need_get(*, case: Case, pathway: str) -> Need | None:
    return Need.objects.filter(case=case, pathway=pathway).first()


def plan_get(*, case: Case) -> Plan | None:
    return Plan.objects.filter(case=case).first()


def plan_requirement_get(*, plan: Plan, requirement_id: int) -> Requirement | None:
    return plan.requirements.filter(pk=requirement_id, withdrawn=False).first()


def plan_action_get(*, plan: Plan, action_id: int) -> PlanAction | None:
    return plan.actions.filter(pk=action_id).first()


def plan_latest_version(*, plan: Plan) -> PlanVersion | None:
    return plan.versions.order_by("-number").first()


OPEN_FIRST = {s: i for i, s in enumerate(ReferralStatus.values)}


def partner_referral_list(*, user: User) -> list[ServiceReferral]:
    """Open referrals first (sent, then accepted, then started), newest first within each; then the
    closed ones. The table caption says so, and the order must match it: by status code alone,
    "accepted" sorted before "sent" and "completed" among the open ones."""
    found = list(referrals_visible_to(user).order_by("-sent_on", "-id"))
    found.sort(key=lambda r: (r.status in rules.CLOSED, OPEN_FIRST.get(r.status, 99)))
    return found


def partner_shared_needs(*, referral: ServiceReferral) -> list[Need]:
    """The restricted needs (health, drugs and alcohol) a referral shares, when its service is set to
    share health and its grant is live; otherwise none."""
    grant = referral.grant
    if grant is None or grant.revoked_at is not None or "health" not in grant.field_groups:
        return []
    return list(Need.objects.filter(case=referral.case_id, pathway__in=sorted(RESTRICTED_PATHWAYS)))


def partner_referral_get(*, user: User, referral_id: int) -> ServiceReferral | None:
    return referrals_visible_to(user).select_related("grant").filter(pk=referral_id).first()


def lead_agencies(*, scheme: Scheme) -> QuerySet[Agency]:
    """Agencies that may lead a case: the scheme's, partners excepted."""
    return scheme.agencies.exclude(kind=AgencyKind.PARTNER)


def partner_agencies(*, scheme: Scheme) -> QuerySet[Agency]:
    return scheme.agencies.filter(kind=AgencyKind.PARTNER)


def scheme_agencies(*, scheme: Scheme) -> QuerySet[Agency]:
    return scheme.agencies.all()


def scheme_workers(*, scheme: Scheme, role: str | None = None) -> QuerySet[User]:
    """Active members of the scheme, by surname; only those of `role` when given."""
    only_role = {"role": role} if role is not None else {}
    return (
        User.objects.filter(scheme_memberships__scheme=scheme, **only_role, is_active=True)
        .select_related("agency")
        .order_by("last_name", "first_name")
    )


def schemes_workers(*, schemes: QuerySet[Scheme]) -> QuerySet[User]:
    """Active members of any of the schemes (a transfer may move the case to another), by surname."""
    return (
        User.objects.filter(scheme_memberships__scheme__in=schemes, is_active=True)
        .select_related("agency")
        .distinct()
        .order_by("last_name", "first_name")
    )
