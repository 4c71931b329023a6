"""Every write of the workforce, each audited: the catalogue, training records, and the safe-
allocation check the cases services call whenever a key worker is allocated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from openiom.access.models import CoordinatorAlert, Scheme
from openiom.access.policy import has_permission
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cases.lists import lists, offered
from openiom.cases.models import Case
from openiom.workforce import rules, selectors
from openiom.workforce.catalogue import LANE_KINDS
from openiom.workforce.models import AllocationOverride, Course, LaneRule, RecordSource, TrainingRecord
from openiom.workforce.rules import WorkforceError

if TYPE_CHECKING:
    from openiom.accounts.models import User

OVERRIDE_ACTION = "allocation.override"
# The coordinator alert's group for training a case needs (emergency accesses carry the data group).
ALERT_GROUP = "training"


# The catalogue -----------------------------------------------------------------------------------


def _course_checked(*, title: str, validity_months: int | None, flags: list[str], streams: list[str]) -> None:
    problems = rules.course_problems(
        title=title,
        validity_months=validity_months,
        flags=flags,
        streams=streams,
        stream_codes={s.code for s in lists().streams},
    )
    if problems:
        raise WorkforceError(problems)


def _course_audit(user: User, action: AuditAction, course: Course) -> None:
    audit_record(
        user=user,
        action=action,
        object_type="course",
        object_id=course.pk,
        detail={
            "code": course.code,
            "title": course.title,
            "validity_months": course.validity_months,
            "flags": course.flags,
            "streams": course.streams,
            "active": course.active,
        },
    )


@transaction.atomic
def course_create(
    *, user: User, code: str, title: str, validity_months: int | None, flags: list[str], streams: list[str]
) -> Course:
    _course_checked(title=title, validity_months=validity_months, flags=flags, streams=streams)
    if Course.objects.filter(code=code).exists():
        raise WorkforceError({"code": _("A course with this code already exists")})
    course = Course.objects.create(
        code=code,
        title=title.strip(),
        validity_months=validity_months,
        flags=sorted(flags),
        streams=sorted(streams),
        position=Course.objects.count(),
    )
    _course_audit(user, AuditAction.COURSE_CREATE, course)
    return course


@transaction.atomic
def course_update(
    *,
    user: User,
    course: Course,
    version: int,
    title: str,
    validity_months: int | None,
    flags: list[str],
    streams: list[str],
    active: bool,
) -> Course:
    """Change a course. A new validity applies to completions recorded from now on; the expiry of a
    record already made is the one its certificate carries."""
    _course_checked(title=title, validity_months=validity_months, flags=flags, streams=streams)
    changed = Course.objects.filter(pk=course.pk, version=version).update(
        version=F("version") + 1,
        title=title.strip(),
        validity_months=validity_months,
        flags=sorted(flags),
        streams=sorted(streams),
        active=active,
    )
    if not changed:
        raise WorkforceError({"__all__": _("Someone changed this course since you opened it: open it again")})
    course.refresh_from_db()
    _course_audit(user, AuditAction.COURSE_UPDATE, course)
    return course


# Training records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    worker: Any
    course: Course
    completed_on: date
    evidence: str


def completion_problems(completion: Completion, today: date) -> dict[str, str]:
    problems: dict[str, str] = {}
    when = rules.completion_problem(completion.completed_on, today)
    if when:
        problems["completed_on"] = when
    if not completion.course.active:
        problems["course"] = _("That course is no longer offered")
    if len(completion.evidence) > rules.MAX_EVIDENCE:
        problems["evidence"] = _("Keep the evidence reference to %(n)d characters") % {
            "n": rules.MAX_EVIDENCE
        }
    return problems


def _record(user: Any, completion: Completion, source: str) -> tuple[TrainingRecord, bool]:
    return TrainingRecord.objects.get_or_create(
        worker=completion.worker,
        course=completion.course,
        completed_on=completion.completed_on,
        defaults={
            "expires_on": rules.expiry(completion.completed_on, completion.course.validity_months),
            "evidence": completion.evidence.strip(),
            "source": source,
            "recorded_by": user,
        },
    )


@transaction.atomic
def training_record_add(
    *, user: User, worker: Any, course: Course, completed_on: date, evidence: str = ""
) -> TrainingRecord:
    """A coordinator records one completion for a worker of one of their schemes. Recording the same
    completion again changes nothing."""
    completion = Completion(worker, course, completed_on, evidence.strip())
    problems = completion_problems(completion, timezone.localdate())
    if worker.pk not in {w.pk for w in selectors.workers_of(user)}:
        problems["worker"] = _("Choose a worker of one of your schemes")
    if problems:
        raise WorkforceError(problems)
    record, created = _record(user, completion, RecordSource.WEB)
    audit_record(
        user=user,
        action=AuditAction.TRAINING_RECORD,
        object_type="training_record",
        object_id=record.pk,
        detail={
            "worker": worker.pk,
            "course": course.code,
            "completed_on": completed_on.isoformat(),
            "created": created,
        },
    )
    return record


@transaction.atomic
def training_records_write(*, user: Any, completions: list[Completion], file: str) -> tuple[int, int]:
    """Write checked completions (the import): (inserted, unchanged). One audit row for the file."""
    inserted = 0
    for completion in completions:
        inserted += _record(user, completion, RecordSource.IMPORT)[1]
    audit_record(
        user=user,
        action=AuditAction.TRAINING_IMPORT,
        object_type="file",
        object_id=file,
        detail={"rows": len(completions), "inserted": inserted},
    )
    return inserted, len(completions) - inserted


# Safe allocation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shortfall:
    field: str  # the allocation form's field: police_worker or probation_worker
    worker: Any
    courses: list[Course]


def allocation_check(
    *, user: User, flags: set[str], stream: str, allocated: dict[str, Any], override: str = ""
) -> list[Shortfall]:
    """Refuse to allocate a case whose flags (or stream) need training to a worker without it in date,
    unless a user who may override gives the reason. `allocated`: form field → the worker newly
    given the case (workers kept from before are not checked again). Returns what the override covers."""
    needed = selectors.required_courses(flags=flags, stream=stream)
    shortfalls = [
        Shortfall(name, worker, missing)
        for name, worker in allocated.items()
        if worker is not None and (missing := selectors.missing_training(worker, needed))
    ]
    if not shortfalls:
        return []
    if not override.strip():
        raise WorkforceError(
            {
                s.field: _("%(name)s does not have in-date training this case needs: %(courses)s")
                % {
                    "name": s.worker.get_full_name() or s.worker.get_username(),
                    "courses": ", ".join(c.title for c in s.courses),
                }
                for s in shortfalls
            }
        )
    if not has_permission(user, OVERRIDE_ACTION):
        raise WorkforceError({"training_override": _("Only a coordinator may allocate without the training")})
    problem = rules.override_problem(override)
    if problem:
        raise WorkforceError({"training_override": problem})
    return shortfalls


def allocation_overrides_record(*, user: User, case: Case, shortfalls: list[Shortfall], reason: str) -> None:
    """Keep each override the check allowed, with its reason, and audit it."""
    for shortfall in shortfalls:
        override = AllocationOverride.objects.create(
            case=case,
            worker=shortfall.worker,
            courses=[c.code for c in shortfall.courses],
            reason=reason.strip(),
            recorded_by=user,
        )
        audit_record(
            user=user,
            action=AuditAction.ALLOCATION_OVERRIDE,
            object_type="case",
            object_id=case.pk,
            detail={
                "person": case.person_id,
                "override": override.pk,
                "worker": shortfall.worker.pk,
                "courses": override.courses,
            },
        )


def flag_training_alert(*, user: User, case: Case, flags_before: set[str]) -> CoordinatorAlert | None:
    """A flag was set on a case: if it needs training its key workers do not have in date, alert the
    scheme's coordinators (the Alerts page; the Workforce page lists the case too)."""
    before = {c.code for c in selectors.required_courses(flags=flags_before, stream=case.stream)}
    added = [c for c in selectors.case_required_courses(case) if c.code not in before]
    lacking = [
        (worker, missing)
        for worker in (case.police_worker, case.probation_worker)
        if worker is not None and (missing := selectors.missing_training(worker, added))
    ]
    if not lacking:
        return None
    message = _(
        "A flag added to this case needs training its key workers do not have in date: %(gaps)s. "
        "Arrange the training or reallocate the case (see the Workforce page)."
    ) % {
        "gaps": "; ".join(
            f"{w.get_full_name() or w.get_username()} ({', '.join(c.title for c in missing)})"
            for w, missing in lacking
        )
    }
    alert = CoordinatorAlert.objects.create(
        scheme=case.scheme, person=case.person, raised_by=user, message=message, group=ALERT_GROUP
    )
    audit_record(
        user=user,
        action=AuditAction.TRAINING_ALERT,
        object_type="case",
        object_id=case.pk,
        detail={"person": case.person_id, "alert": alert.pk, "workers": [w.pk for w, _m in lacking]},
    )
    return alert


# Lanes ---------------------------------------------------------------------------------------------


@transaction.atomic
def lanes_save(*, user: User, scheme: Scheme, mapping: dict[str, list[str]]) -> None:
    """Set the scheme's own lane mapping: action type → the agency kinds that should own it."""
    problems: dict[str, str] = {}
    types = offered(lists().action_types)
    for action_type, kinds in mapping.items():
        if action_type not in types:
            problems[action_type] = _("Not a type of action offered")
        elif not set(kinds) <= set(LANE_KINDS):
            problems[action_type] = _("Choose police, probation or partner")
    if problems:
        raise WorkforceError(problems)
    before = selectors.lane_map(scheme)
    for action_type, kinds in mapping.items():
        LaneRule.objects.update_or_create(
            scheme=scheme,
            action_type=action_type,
            defaults={"owner_kinds": sorted(kinds), "version": F("version") + 1},
            create_defaults={"owner_kinds": sorted(kinds)},
        )
    audit_record(
        user=user,
        action=AuditAction.LANES_MANAGE,
        object_type="scheme",
        object_id=scheme.pk,
        detail={"before": before, "after": {t: sorted(k) for t, k in mapping.items()}},
    )
