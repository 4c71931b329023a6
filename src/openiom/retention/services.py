"""Retention: find records past their period, and after a recorded approval delete or anonymise them."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from openiom.access.models import CoordinatorAlert, PersonAccessGrant, SchemePerson
from openiom.access.policy import has_permission
from openiom.accounts.models import User
from openiom.audit.actions import RETENTION_APPLY_ACTIONS, AuditAction
from openiom.audit.services import audit_record
from openiom.cases.models import Case, CaseStatus, PanelDecision
from openiom.cohorts.models import CohortRun
from openiom.evaluation.models import FINISHED, EvaluationRun
from openiom.evaluation.selectors import output_root
from openiom.offending.models import OffendingEvent
from openiom.people.models import Person
from openiom.retention.models import RetentionReview

RULES_FILE = Path(__file__).with_name("rules.yaml")
ACTIONS = {
    "person": "anonymise",
    "offending_event": "delete",
    "coordinator_alert": "delete",
    "iom_case": "delete",
    "evaluation_run": "delete",
    "cohort_run": "delete",
}
ANONYMISED = "ANONYMISED"
# The permission (permissions.yaml) to review, approve and apply retention.
RETENTION_MANAGE = "retention.manage"


class RetentionError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    record_type: str
    keep_years: int
    action: str


def load_rules(path: Path = RULES_FILE) -> list[Rule]:
    raw: dict[str, dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rules = []
    for record_type, spec in raw.items():
        if record_type not in ACTIONS:
            raise RetentionError(
                f"{path.name}: unknown record type {record_type!r}; known: {', '.join(ACTIONS)}"
            )
        keep = spec.get("keep_years")
        if not isinstance(keep, int) or keep < 1:
            raise RetentionError(
                f"{path.name}: {record_type}.keep_years must be a whole number of years, at least 1"
            )
        if spec.get("action") != ACTIONS[record_type]:
            raise RetentionError(f"{path.name}: {record_type}.action must be {ACTIONS[record_type]!r}")
        rules.append(Rule(record_type, keep, spec["action"]))
    return rules


def _cutoff(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _past_retention(rule: Rule, cutoff: date) -> QuerySet[Any]:
    if rule.record_type == "person":
        return (
            Person.objects.exclude(family_name=ANONYMISED)
            .filter(schemes__isnull=True)
            .annotate(last_event=Max("events__outcome_date"))
            .filter(Q(last_event__lt=cutoff) | Q(last_event__isnull=True, updated_at__date__lt=cutoff))
        )
    if rule.record_type == "offending_event":
        return OffendingEvent.objects.filter(outcome_date__lt=cutoff)
    if rule.record_type == "iom_case":
        return Case.objects.filter(
            Q(status=CaseStatus.EXITED, exit_date__lt=cutoff)
            | Q(status=CaseStatus.DECLINED, updated_at__date__lt=cutoff)
        )
    if rule.record_type == "evaluation_run":
        return EvaluationRun.objects.filter(status__in=FINISHED, finished_at__date__lt=cutoff)
    if rule.record_type == "cohort_run":
        # A run a panel decision was made on stays as long as the decision, so the decision can
        # always show why the person was put forward; it goes with the case (the iom_case rule).
        decided = PanelDecision.objects.exclude(candidate=None).values("candidate__run_id")
        return CohortRun.objects.filter(created_at__date__lt=cutoff).exclude(pk__in=decided)
    return CoordinatorAlert.objects.filter(acknowledged_at__isnull=False, raised_at__date__lt=cutoff)


@transaction.atomic
def retention_review_create(
    *, user: User | None = None, today: date | None = None, rules: list[Rule] | None = None
) -> list[RetentionReview]:
    """List what is past retention under each rule, as reviews awaiting approval (nothing is changed)."""
    today = today or timezone.localdate()
    reviews = []
    for rule in rules or load_rules():
        cutoff = _cutoff(today, rule.keep_years)
        ids = sorted(_past_retention(rule, cutoff).values_list("pk", flat=True))
        review = RetentionReview.objects.create(
            record_type=rule.record_type,
            action=rule.action,
            keep_years=rule.keep_years,
            cutoff=cutoff,
            record_ids=ids,
        )
        audit_record(
            user=user,
            action=AuditAction.RETENTION_REVIEW,
            object_type="retention_review",
            object_id=review.pk,
            detail={"record_type": rule.record_type, "count": len(ids), "cutoff": cutoff.isoformat()},
        )
        reviews.append(review)
    return reviews


@transaction.atomic
def retention_review_approve(*, review: RetentionReview, user: User, reason: str) -> None:
    if not has_permission(user, RETENTION_MANAGE):
        raise RetentionError(
            f"{user.username} may not approve retention ({RETENTION_MANAGE}); nothing was approved"
        )
    if not reason.strip():
        raise RetentionError("give a reason for the approval")
    if review.approved_at is not None:
        raise RetentionError(f"review {review.pk} was already approved")
    review.approved_by, review.approved_at, review.approval_reason = user, timezone.now(), reason.strip()
    review.save(update_fields=["approved_by", "approved_at", "approval_reason"])
    audit_record(
        user=user,
        action=AuditAction.RETENTION_APPROVE,
        object_type="retention_review",
        object_id=review.pk,
        purpose=reason.strip(),
    )


@transaction.atomic
def retention_review_apply(*, review: RetentionReview, user: User | None = None) -> int:
    """Delete or anonymise the approved records that are still past retention. Returns how many."""
    if review.approved_at is None:
        raise RetentionError(f"review {review.pk} has not been approved; nothing was changed")
    if review.applied_at is not None:
        raise RetentionError(f"review {review.pk} was already applied")
    rule = Rule(review.record_type, review.keep_years, review.action)
    # Re-check: a record that became active again since the review is kept.
    still_due = _past_retention(rule, review.cutoff).filter(pk__in=review.record_ids)
    if rule.action == "anonymise":
        count = still_due.order_by().update(
            family_name=ANONYMISED,
            given_names=ANONYMISED,
            aliases="",
            pnc_id=None,
            probation_crn=None,
            local_police_id=None,
            ethnicity=None,
            updated_at=timezone.now(),
        )
    else:
        ids = list(still_due.values_list("pk", flat=True))
        _delete_dependants(rule.record_type, ids)
        still_due.model.objects.filter(pk__in=ids).delete()
        count = len(ids)
    review.applied_at, review.applied_count = timezone.now(), count
    review.save(update_fields=["applied_at", "applied_count"])
    audit_record(
        user=user or review.approved_by,
        action=RETENTION_APPLY_ACTIONS[rule.action],
        object_type=rule.record_type,
        detail={"review": review.pk, "count": count, "approved_by": review.approved_by_id},
    )
    return count


def _delete_dependants(record_type: str, ids: list[int]) -> None:
    """What goes with a record but is not deleted by the database's cascade."""
    if record_type == "iom_case":
        cases = Case.objects.filter(pk__in=ids)
        # The partner access the case's service referrals granted, and the person's place on the
        # scheme's list: once both are gone the person can fall under the person rule.
        grants = cases.exclude(service_referrals__grant=None).values_list(
            "service_referrals__grant", flat=True
        )
        PersonAccessGrant.objects.filter(pk__in=list(grants)).delete()
        for scheme_id, person_id in cases.values_list("scheme_id", "person_id"):
            SchemePerson.objects.filter(scheme_id=scheme_id, person_id=person_id).delete()
    elif record_type == "evaluation_run":
        root = output_root()
        folders = [
            Path(d).resolve()
            for d in EvaluationRun.objects.filter(pk__in=ids).values_list("output_dir", flat=True)
        ]
        # Files go only once the rows are gone for good, and only from inside the evaluations folder.
        inside = [f for f in folders if f.is_relative_to(root) and f != root]

        def remove_folders() -> None:
            for folder in inside:
                shutil.rmtree(folder, ignore_errors=True)

        transaction.on_commit(remove_folders)
