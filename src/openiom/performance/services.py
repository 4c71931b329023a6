"""Writes for performance: the quarterly report, from the command line or as a background job started
on the dashboard. The job reuses the evaluation runs' rows and worker process
(openiom.evaluation.services.OTHER_JOBS), so there is one mechanism for background work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openiom.access.models import Scheme
from openiom.accounts.models import User
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.evaluation import selectors as evaluation_selectors
from openiom.evaluation.models import EvaluationRun
from openiom.performance import indicators, selectors
from openiom.performance.measures import MeasureError, check_months
from openiom.performance.report import STEPS, ReportHeader, write_report

JOB = "performance_report"
__all__ = ["STEPS", "NoData", "report_create", "report_job", "report_write"]


class NoData(ValueError):
    """The scheme has nothing to report for the quarter; the message says what is missing."""


def _quality_rows(results: list[indicators.IndicatorResult]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.definition.code,
            "title": r.definition.title,
            "numerator": len(r.numerator),
            "denominator": r.denominator,
            "rate": f"{r.rate:.0f}%" if r.rate is not None else "no cases",
            "rag": r.rag,
        }
        for r in results
    ]


def report_write(
    *,
    user: User,
    scheme: Scheme,
    quarter: str,
    months: int,
    out_dir: Path,
    progress: Callable[[str], None] = lambda step: None,
) -> dict[str, Path]:
    """Compute the figures as at the quarter's last day and write the report files. Raises NoData
    when the scheme had no one adopted by then, MeasureError for a bad quarter or window."""
    check_months(months)
    _start, end = selectors.quarter_dates(quarter)
    progress(STEPS[0])
    figures = selectors.compute_measures(user, scheme, months=months, as_of=end)
    managed = (
        figures.diagnostics.members.get("managed", 0)
        - figures.diagnostics.anchor_after_as_of.get("managed", 0)
        - figures.diagnostics.no_anchor.get("managed", 0)
    )
    if managed <= 0:
        raise NoData(
            f"No data for {scheme.code} in {quarter.upper()}: no one had been adopted by {end:%d %B %Y}, "
            "so there is nothing to report."
        )
    progress(STEPS[1])
    quality = selectors.quality(user, scheme, as_of=end)
    header = ReportHeader(
        scheme=scheme.name,
        quarter=quarter.upper(),
        as_of=end,
        months=months,
        generated_by=user.get_full_name() or user.username,
    )
    paths = write_report(out_dir, header, figures, _quality_rows(quality["results"]), progress)
    audit_record(
        user=user,
        action=AuditAction.PERFORMANCE_REPORT,
        object_type="scheme",
        object_id=scheme.pk,
        detail={
            "quarter": quarter.upper(),
            "months": months,
            "files": sorted(p.name for p in paths.values()),
        },
    )
    return paths


def report_create(*, user: User, scheme: Scheme, quarter: str, months: int) -> EvaluationRun:
    """Record a queued report job (checking the quarter and window first); launch it with
    openiom.evaluation.services.evaluation_run_launch."""
    check_months(months)
    selectors.quarter_dates(quarter)
    run = EvaluationRun.objects.create(
        created_by=user,
        scheme=scheme,
        title=f"Performance report {scheme.code} {quarter.upper()}"[:200],
        config_text="",
        config={"job": JOB, "scheme_id": scheme.pk, "quarter": quarter.upper(), "months": months},
        output_dir=str(evaluation_selectors.output_root() / uuid.uuid4().hex),
        step_count=len(STEPS),
    )
    audit_record(
        user=user,
        action=AuditAction.PERFORMANCE_REPORT_START,
        object_type="evaluation_run",
        object_id=run.pk,
        detail={"scheme": scheme.code, "quarter": quarter.upper(), "months": months},
    )
    return run


def report_job(run: EvaluationRun, progress: Callable[[str], None]) -> dict[str, Any]:
    """The background job: the report as the user who asked for it sees the scheme."""
    scheme = Scheme.objects.get(pk=run.config["scheme_id"])
    try:
        paths = report_write(
            user=run.created_by,
            scheme=scheme,
            quarter=run.config["quarter"],
            months=int(run.config["months"]),
            out_dir=Path(run.output_dir),
            progress=progress,
        )
    except MeasureError as exc:
        raise NoData(str(exc)) from exc
    return {"job": JOB, "files": {kind: path.name for kind, path in paths.items()}}
