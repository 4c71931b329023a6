"""Reads for transparency records: a scheme's latest record for one version of a definition, the
schemes a user may keep records for, and the fairness figures of the user's latest analysis."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openiom.access.models import Scheme
from openiom.accounts.models import User
from openiom.cohorts.definition_selectors import definition_schemes
from openiom.cohorts.engine.definitions import Definition
from openiom.cohorts.models import TransparencyRecord
from openiom.evaluation.models import EvaluationRun, RunStatus


def record_schemes(*, user: User, scheme: Scheme | None = None) -> QuerySet[Scheme]:
    """The schemes whose records `user` may read: a scheme's own definition has its scheme only."""
    schemes = definition_schemes(user)
    return schemes.filter(pk=scheme.pk) if scheme is not None else schemes


def record_scheme(*, user: User, scheme_id: int | None, owner: Scheme | None) -> Scheme | None:
    """The scheme a record page is about: `scheme_id` if the user may read its records, else the
    first they may (the definition's own scheme for a scheme's definition); None if none."""
    schemes = record_schemes(user=user, scheme=owner).order_by("name")
    if scheme_id is not None:
        return schemes.filter(pk=scheme_id).first()
    return schemes.first()


def record_revisions(*, scheme: Scheme, definition: Definition) -> QuerySet[TransparencyRecord]:
    """Every saved revision for this version of the definition, newest first."""
    return TransparencyRecord.objects.filter(
        scheme=scheme, definition_id=definition.id, definition_version=definition.version
    ).select_related("created_by", "published_by")


def record_latest(*, scheme: Scheme, definition: Definition) -> TransparencyRecord | None:
    return record_revisions(scheme=scheme, definition=definition).order_by("-revision").first()


def record_published(*, scheme: Scheme, definition: Definition) -> TransparencyRecord | None:
    revisions = record_revisions(scheme=scheme, definition=definition)
    return revisions.filter(status="published").order_by("-revision").first()


def latest_fairness(*, user: User, label: str) -> dict[str, Any] | None:
    """The fairness figures for definition `label` (id@version) from the user's latest finished
    cohort analysis that ran it, with the analysis it came from; None if there is none."""
    runs = EvaluationRun.objects.filter(
        created_by=user, config__job="cohort_analysis", status=RunStatus.SUCCEEDED
    ).order_by("-pk")
    for run in runs[:50]:
        found = (run.summary or {}).get("fairness") or {}
        for report in found.get("definitions", []):
            if report.get("definition") == label:
                return {
                    "analysis": run.pk,
                    "as_of": run.summary.get("as_of"),
                    "snapshot_id": run.summary.get("snapshot_id"),
                    "window": found.get("window"),
                    "threshold": found.get("threshold"),
                    "report": report,
                }
    return None
