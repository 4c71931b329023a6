"""Every read of the workforce: the catalogue, who is trained for what, what a case needs, and the
coordinator's figures (coverage, expiries, cases held by untrained staff, overrides)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from openiom.access.models import AgencyKind, Scheme
from openiom.access.policy import has_permission
from openiom.access.selectors import people_visible_to, user_schemes
from openiom.accounts.models import User
from openiom.cases.lists import labels, lists
from openiom.cases.models import ActionStatus, Case, CaseStatus, PlanAction
from openiom.workforce import rules
from openiom.workforce.models import AllocationOverride, Course, LaneRule, TrainingRecord

if TYPE_CHECKING:
    from collections.abc import Iterable

# A worker is anyone whose role keeps a training record of their own (permissions.yaml).
WORKER_ACTION = "training.own"
NEVER = date.max


def courses(*, active_only: bool = False) -> QuerySet[Course]:
    found = Course.objects.all()
    return found.filter(active=True) if active_only else found


def course_get(course_id: int) -> Course | None:
    return Course.objects.filter(pk=course_id).first()


def course_by_code() -> dict[str, Course]:
    return {c.code: c for c in Course.objects.all()}


def required_courses(*, flags: set[str], stream: str) -> list[Course]:
    """The active courses a case with these flags and stream needs, in catalogue order."""
    active = list(courses(active_only=True))
    codes = rules.required_codes(
        flags=flags, stream=stream, courses=[(c.code, list(c.flags), list(c.streams)) for c in active]
    )
    return [c for c in active if c.code in codes]


def flags_of(case: Case) -> set[str]:
    return rules.case_flags(
        domestic_abuse=case.domestic_abuse,
        safeguarding_children=case.safeguarding_children,
        safeguarding_adults=case.safeguarding_adults,
        mappa_level=case.mappa_level,
        gang=case.gang,
        weapons=case.weapons,
    )


def case_required_courses(case: Case) -> list[Course]:
    return required_courses(flags=flags_of(case), stream=case.stream)


def best_expiries(worker_ids: Iterable[int]) -> dict[tuple[int, int], date]:
    """(worker, course) → the latest expiry of their completions (NEVER if one never expires)."""
    best: dict[tuple[int, int], date] = {}
    for worker_id, course_id, expires_on in TrainingRecord.objects.filter(
        worker_id__in=list(worker_ids)
    ).values_list("worker_id", "course_id", "expires_on"):
        key, value = (worker_id, course_id), expires_on or NEVER
        best[key] = max(best.get(key, value), value)
    return best


def missing_training(worker: Any, needed: list[Course], on: date | None = None) -> list[Course]:
    """The courses of `needed` the worker has no in-date completion of on `on` (default today)."""
    if worker is None or not needed:
        return []
    on = on or timezone.localdate()
    best = best_expiries([worker.pk])
    return [c for c in needed if not rules.in_date(best.get((worker.pk, c.pk), date.min), on)]


def workers_trained_first(workers: QuerySet[User], needed: list[Course]) -> list[tuple[User, bool]]:
    """The workers with, for each, whether they hold every needed course in date: trained first."""
    people = list(workers)
    on = timezone.localdate()
    best = best_expiries(w.pk for w in people)
    marked = [(w, all(rules.in_date(best.get((w.pk, c.pk), date.min), on) for c in needed)) for w in people]
    return sorted(marked, key=lambda pair: not pair[1])


def users_by_username(usernames: Iterable[str]) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=list(usernames)).select_related("agency")}


def users_with_ids(ids: list[int]) -> QuerySet[User]:
    return User.objects.filter(pk__in=ids).select_related("agency").order_by("last_name", "first_name")


def own_records(user: User) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(worker=user).select_related("course")


def user_schemes_of(user: User) -> list[Scheme]:
    return list(user_schemes(user).order_by("name"))


def scheme_for(user: User, code: str | None) -> Scheme | None:
    schemes = list(user_schemes(user).order_by("name"))
    if not code:
        return schemes[0] if schemes else None
    return next((s for s in schemes if s.code == code), None)


def scheme_workers(scheme: Scheme) -> list[User]:
    """Active members of the scheme who keep a training record, by agency and name."""
    members = (
        User.objects.filter(scheme_memberships__scheme=scheme, is_active=True)
        .select_related("agency")
        .order_by("agency__name", "last_name", "first_name")
    )
    return [u for u in members if has_permission(u, WORKER_ACTION)]


def worker_in_scheme(scheme_ids: Iterable[int], worker_id: int) -> User | None:
    found = User.objects.filter(pk=worker_id, scheme_memberships__scheme__in=list(scheme_ids)).first()
    return found if found is not None and has_permission(found, WORKER_ACTION) else None


def workers_of(user: User) -> list[User]:
    """The workers of every scheme the user belongs to, each once."""
    seen: dict[int, User] = {}
    for scheme in user_schemes(user):
        for worker in scheme_workers(scheme):
            seen.setdefault(worker.pk, worker)
    return sorted(seen.values(), key=lambda u: (u.last_name, u.first_name))


@dataclass(frozen=True)
class CoverageRow:
    agency: str
    course: Course
    workers: int
    in_date: int
    expiring: int
    total: bool = False  # the scheme's total over every agency

    @property
    def missing(self) -> int:
        return self.workers - self.in_date

    @property
    def percent(self) -> int:
        return round(100 * self.in_date / self.workers) if self.workers else 0


@dataclass(frozen=True)
class Expiring:
    worker: User
    course: Course
    expires_on: date


@dataclass(frozen=True)
class Gap:
    case: Case
    worker: User
    courses: list[Course]


@dataclass(frozen=True)
class LaneRow:
    worker: User | None
    action_type: str
    label: str
    owners: list[str]
    actions: int


@dataclass
class WorkforceFigures:
    scheme: Scheme
    on: date
    workers: list[User]
    coverage: list[CoverageRow] = field(default_factory=list)
    expiring: list[Expiring] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    overrides: list[AllocationOverride] = field(default_factory=list)
    out_of_lane: list[LaneRow] = field(default_factory=list)


def workforce_figures(user: User, scheme: Scheme, on: date | None = None) -> WorkforceFigures:
    """Coverage by agency and course, what expires in the next 60 days, the scheme's managed cases
    whose key workers lack the training the case needs, and the overrides recorded."""
    on = on or timezone.localdate()
    workers = scheme_workers(scheme)
    catalogue = list(courses(active_only=True))
    best = best_expiries(w.pk for w in workers)
    figures = WorkforceFigures(scheme=scheme, on=on, workers=workers)
    by_agency: dict[str, list[User]] = defaultdict(list)
    for worker in workers:
        by_agency[worker.agency.name if worker.agency else "—"].append(worker)
    # Every agency's rows, then the scheme's totals (the chart draws those).
    groups = [*by_agency.items(), *([(gettext("All agencies"), workers)] if workers else [])]
    for index, (agency, members) in enumerate(groups):
        for course in catalogue:
            expiries = [best.get((w.pk, course.pk), date.min) for w in members]
            figures.coverage.append(
                CoverageRow(
                    agency=agency,
                    course=course,
                    workers=len(members),
                    in_date=sum(rules.in_date(e, on) for e in expiries),
                    expiring=sum(rules.expiring_soon(e if e != NEVER else None, on) for e in expiries),
                    total=index == len(by_agency),
                )
            )
    for worker in workers:
        for course in catalogue:
            expires_on = best.get((worker.pk, course.pk))
            if expires_on is not None and expires_on != NEVER and rules.expiring_soon(expires_on, on):
                figures.expiring.append(Expiring(worker, course, expires_on))
    figures.expiring.sort(key=lambda e: e.expires_on)
    figures.gaps = untrained_allocations(user, scheme, on=on)
    figures.overrides = list(overrides(user, scheme))
    figures.out_of_lane = police_actions_out_of_lane(user, scheme)
    return figures


def _visible_cases(user: User, scheme: Scheme) -> QuerySet[Case]:
    people = people_visible_to(user, "workforce.view").values("pk")
    return Case.objects.filter(scheme=scheme, person__in=people)


def untrained_allocations(user: User, scheme: Scheme, on: date | None = None) -> list[Gap]:
    """Managed cases whose police or probation key worker lacks in-date training the case needs
    (a flag added since allocation, a lapsed course, or an override)."""
    on = on or timezone.localdate()
    cases = list(
        _visible_cases(user, scheme)
        .filter(status=CaseStatus.ACTIVE)
        .select_related("person", "police_worker", "probation_worker")
        .order_by("id")
    )
    catalogue = list(courses(active_only=True))
    rows = [(c.code, list(c.flags), list(c.streams)) for c in catalogue]
    worker_ids = {w for c in cases for w in (c.police_worker_id, c.probation_worker_id) if w}
    best = best_expiries(worker_ids)
    gaps = []
    for case in cases:
        codes = rules.required_codes(flags=flags_of(case), stream=case.stream, courses=rows)
        if not codes:
            continue
        for worker in (case.police_worker, case.probation_worker):
            if worker is None:
                continue
            lacking = [
                c
                for c in catalogue
                if c.code in codes and not rules.in_date(best.get((worker.pk, c.pk), date.min), on)
            ]
            if lacking:
                gaps.append(Gap(case, worker, lacking))
    return gaps


def overrides(user: User, scheme: Scheme) -> QuerySet[AllocationOverride]:
    return (
        AllocationOverride.objects.filter(case__in=_visible_cases(user, scheme))
        .select_related("case__person", "worker", "recorded_by")
        .order_by("-recorded_at", "-id")
    )


def override_counts(scheme_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, int]:
    """Allocations made without the needed training, by scheme, recorded in [start, end): for the
    case-quality indicators and the national return (a count, never a person)."""
    counts: dict[int, int] = defaultdict(int)
    for scheme_id in AllocationOverride.objects.filter(
        case__scheme_id__in=list(scheme_ids), recorded_at__gte=start, recorded_at__lt=end
    ).values_list("case__scheme_id", flat=True):
        counts[scheme_id] += 1
    return dict(counts)


POLICE = "police"
OPEN_ACTIONS = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


def lane_map(scheme: Scheme) -> dict[str, list[str]]:
    """Action type → the agency kinds that should own it in this scheme (its own rows over the defaults)."""
    mapping: dict[str, list[str]] = {}
    own: dict[str, list[str]] = {}
    for scheme_id, action_type, kinds in LaneRule.objects.filter(
        Q(scheme__isnull=True) | Q(scheme=scheme)
    ).values_list("scheme_id", "action_type", "owner_kinds"):
        (own if scheme_id else mapping)[action_type] = list(kinds)
    return mapping | own


def lane_versions(scheme: Scheme) -> dict[str, int]:
    return dict(LaneRule.objects.filter(scheme=scheme).values_list("action_type", "version"))


def police_actions_out_of_lane(user: User, scheme: Scheme) -> list[LaneRow]:
    """Open police-owned actions on the scheme's managed cases whose type the lane mapping gives
    only to other agencies: counts by worker and type (no action's text, which may be restricted)."""
    mapping = lane_map(scheme)
    others = [t for t, kinds in mapping.items() if kinds and POLICE not in kinds]
    if not others:
        return []
    counts = (
        PlanAction.objects.filter(
            plan__case__in=_visible_cases(user, scheme).filter(status=CaseStatus.ACTIVE),
            owner_agency__kind=POLICE,
            action_type__in=others,
            status__in=OPEN_ACTIONS,
        )
        .values("owner_worker_id", "action_type")
        .annotate(n=Count("id"))
        .order_by("owner_worker_id", "action_type")
    )
    rows = list(counts)
    workers = {
        u.pk: u
        for u in User.objects.filter(pk__in=[r["owner_worker_id"] for r in rows if r["owner_worker_id"]])
    }
    names = labels(lists().action_types)
    return [
        LaneRow(
            worker=workers.get(r["owner_worker_id"]),
            action_type=r["action_type"],
            label=names.get(r["action_type"], r["action_type"]),
            owners=[str(AgencyKind(k).label) for k in mapping[r["action_type"]]],
            actions=r["n"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class TrainingFacts:
    needs: bool  # the case's flags or stream need training
    trained: bool  # both key workers hold it in date
    override: bool  # an allocation override was recorded on the case
    lane: bool  # an open police-owned action of a type mapped only to other agencies


def indicator_training_facts(cases: list[Case], scheme: Scheme) -> dict[int, TrainingFacts]:
    """For the case-quality indicators: the training and lane facts of each of these cases."""
    on = timezone.localdate()
    catalogue = list(courses(active_only=True))
    rows = [(c.code, list(c.flags), list(c.streams)) for c in catalogue]
    best = best_expiries({w for c in cases for w in (c.police_worker_id, c.probation_worker_id) if w})
    ids = [c.pk for c in cases]
    overridden = set(AllocationOverride.objects.filter(case_id__in=ids).values_list("case_id", flat=True))
    others = [t for t, kinds in lane_map(scheme).items() if kinds and POLICE not in kinds]
    in_other_lane = set(
        PlanAction.objects.filter(
            plan__case_id__in=ids, owner_agency__kind=POLICE, action_type__in=others, status__in=OPEN_ACTIONS
        ).values_list("plan__case_id", flat=True)
    )
    facts = {}
    for case in cases:
        codes = rules.required_codes(flags=flags_of(case), stream=case.stream, courses=rows)
        needed = [c for c in catalogue if c.code in codes]
        trained = all(
            rules.in_date(best.get((worker_id, c.pk), date.min), on)
            for worker_id in (case.police_worker_id, case.probation_worker_id)
            if worker_id
            for c in needed
        )
        facts[case.pk] = TrainingFacts(bool(needed), trained, case.pk in overridden, case.pk in in_other_lane)
    return facts
