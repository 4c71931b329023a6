"""The Performance pages: the dashboard (before/after beside the comparison group), case quality by
team and worker, the figures as CSV, and the quarterly report as a background job."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openiom.access.models import Scheme
from openiom.access.policy import has_permission, requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cohorts.charts import bar_chart
from openiom.evaluation.models import EvaluationRun, RunStatus
from openiom.performance import selectors, services
from openiom.performance.charts import series_chart
from openiom.performance.measures import (
    COMPARISON,
    DEFAULT_MONTHS,
    DIMENSION_LABELS,
    MANAGED,
    MEASURE_LABELS,
    WINDOW_MONTHS,
    MeasureError,
)
from openiom.performance.report import FILES, STEPS, figures_csv

REFRESH_SECONDS = 3


def _months(request: AuthenticatedRequest) -> int:
    try:
        months = int(request.GET.get("months", DEFAULT_MONTHS))
    except ValueError:
        return DEFAULT_MONTHS
    return months if months in WINDOW_MONTHS else DEFAULT_MONTHS


def _scheme(request: AuthenticatedRequest) -> Scheme | None:
    return selectors.scheme_for(request.user, request.GET.get("scheme"))


def _default_quarter() -> str:
    """The last complete quarter."""
    today = timezone.localdate()
    number = (today.month - 1) // 3
    return f"{today.year - 1}Q4" if number == 0 else f"{today.year}Q{number}"


def _no_scheme(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "performance/no_scheme.html", status=200)


@requires("performance.view")
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    scheme = _scheme(request)
    if scheme is None:
        if request.GET.get("scheme"):
            raise Http404
        return _no_scheme(request)
    months = _months(request)
    report_error = ""
    quarter = request.POST.get("quarter", "").strip() if request.method == "POST" else _default_quarter()
    if request.method == "POST":
        if not has_permission(request.user, "performance.report"):
            raise Http404
        try:
            run = services.report_create(user=request.user, scheme=scheme, quarter=quarter, months=months)
        except MeasureError as exc:
            report_error = str(exc).replace("quarter: ", "")
        else:
            from openiom.evaluation.jobs import evaluation_run_launch

            evaluation_run_launch(run)
            return redirect("performance:report", run_id=run.pk)
    figures = selectors.dashboard(request.user, scheme, months=months)
    audit_record(
        user=request.user,
        action=AuditAction.PERFORMANCE_VIEW,
        object_type="scheme",
        object_id=scheme.pk,
        detail={"months": months},
    )
    counts = [c for c in figures.comparisons if c.basis == "count"]
    liberty = [c for c in figures.comparisons if c.basis == "liberty"]
    proven = figures.comparison("proven")
    bars: list[tuple[str, float, str]] = []
    if proven is not None:
        for label, figure in ((_("Managed"), proven.managed), (_("Comparison"), proven.comparison)):
            if figure is None or not figure.people:
                continue
            bars += [
                (f"{label}: {_('before')}", figure.mean_before, f"{figure.mean_before:.2f}"),
                (f"{label}: {_('after')}", figure.mean_after, f"{figure.mean_after:.2f}"),
            ]
    series = figures.series
    lines = {
        group: [
            (int(r.month), float(r.proven_per_person)) for r in series[series["group"] == group].itertuples()
        ]
        for group in (MANAGED, COMPARISON)
    }
    lines = {k: v for k, v in lines.items() if v}
    series_rows: dict[int, dict[str, Any]] = {}
    for r in series.itertuples():
        series_rows.setdefault(int(r.month), {"month": int(r.month)})[str(r.group)] = (
            f"{r.proven_per_person:.3f} ({int(r.people)})"
        )
    query = f"?scheme={scheme.code}&months={months}"
    return render(
        request,
        "performance/dashboard.html",
        {
            "scheme": scheme,
            "schemes": selectors.schemes_for(request.user),
            "months": months,
            "month_choices": WINDOW_MONTHS,
            "figures": figures,
            "counts": counts,
            "liberty": liberty,
            "has_comparison": proven is not None and proven.comparison is not None,
            "notes": figures.diagnostics.notes(),
            "breakdowns": [
                (DIMENSION_LABELS[d], groups) for d, groups in figures.breakdowns.items() if groups
            ],
            "measure_labels": list(MEASURE_LABELS.values()),
            "means_chart": bar_chart(
                ident="means",
                title=_("Proven offences per person, before and after"),
                description=_("Bar chart; the same numbers are in the table above."),
                bars=bars,
            )
            if bars
            else "",
            "series_chart": series_chart(
                ident="series",
                title=_("Proven offences per person by month from adoption"),
                description=_(
                    "Line chart: the managed people as a solid line, the comparison group dashed; the same "
                    "numbers are in the table below."
                ),
                lines=lines,
            ),
            "series_rows": [series_rows[k] for k in sorted(series_rows)],
            "query": query,
            "may_report": has_permission(request.user, "performance.report"),
            "may_evaluate": has_permission(request.user, "evaluation.run"),
            "quarter": quarter,
            "report_error": report_error,
        },
    )


@requires("performance.view")
def figures_download(request: AuthenticatedRequest) -> HttpResponse:
    scheme = _scheme(request)
    if scheme is None:
        raise Http404
    months = _months(request)
    figures = selectors.dashboard(request.user, scheme, months=months)
    audit_record(
        user=request.user,
        action=AuditAction.PERFORMANCE_DOWNLOAD,
        object_type="scheme",
        object_id=scheme.pk,
        detail={"months": months, "file": "figures.csv"},
    )
    response = HttpResponse(figures_csv(figures), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="performance-{scheme.code}-{months}m.csv"'
    return response


@requires("performance.view")
def quality(request: AuthenticatedRequest) -> HttpResponse:
    scheme = _scheme(request)
    if scheme is None:
        if request.GET.get("scheme"):
            raise Http404
        return _no_scheme(request)
    found = selectors.quality(request.user, scheme)
    audit_record(
        user=request.user,
        action=AuditAction.PERFORMANCE_QUALITY_VIEW,
        object_type="scheme",
        object_id=scheme.pk,
    )
    results = found["results"]
    focus = request.GET.get("indicator", "")
    return render(
        request,
        "performance/quality.html",
        {
            "scheme": scheme,
            "schemes": selectors.schemes_for(request.user),
            **found,
            "focus": next((r for r in results if r.definition.code == focus), None),
            "may_open_cases": has_permission(request.user, "case.view"),
            "titles": [r.definition.title for r in results],
        },
    )


def _report_or_404(request: AuthenticatedRequest, run_id: int) -> EvaluationRun:
    run = selectors.report_run(request.user, run_id)
    if run is None:
        raise Http404
    return run


def _is_report(run: EvaluationRun) -> bool:
    return bool(run.config.get("job") == services.JOB)


@requires("performance.report")
def report(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    run = _report_or_404(request, run_id)
    if not _is_report(run):
        # An evaluation of the same scheme: not a report, so back to the dashboard.
        return redirect(reverse("performance:dashboard"))
    # Imported on use, as the evaluation pages do: it brings the statistics libraries.
    from openiom.evaluation.jobs import evaluation_run_check_worker, step_list

    run = evaluation_run_check_worker(run)
    auto_refresh = not run.finished and request.GET.get("refresh") != "off"
    response = render(
        request,
        "performance/report.html",
        {
            "run": run,
            "steps": step_list(run, STEPS, {}),
            "current_step": run.step_text,
            "auto_refresh": auto_refresh,
            "ready": run.status == RunStatus.SUCCEEDED,
            "refresh_seconds": REFRESH_SECONDS,
        },
    )
    if auto_refresh:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


CONTENT_TYPES = {"html": "text/html", "pdf": "application/pdf", "csv": "text/csv"}


def _download(request: AuthenticatedRequest, run_id: int, kind: str) -> HttpResponseBase:
    run = _report_or_404(request, run_id)
    path = None
    if _is_report(run) and run.status == RunStatus.SUCCEEDED:
        from pathlib import Path

        candidate = Path(run.output_dir) / FILES[kind]
        path = candidate if candidate.is_file() else None
    if path is None:
        return redirect("performance:report", run_id=run.pk)
    audit_record(
        user=request.user,
        action=AuditAction.PERFORMANCE_DOWNLOAD,
        object_type="evaluation_run",
        object_id=run.pk,
        detail={"file": path.name},
    )
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=CONTENT_TYPES[kind]
    )


@requires("performance.report")
def report_html(request: AuthenticatedRequest, run_id: int) -> HttpResponseBase:
    return _download(request, run_id, "html")


@requires("performance.report")
def report_pdf(request: AuthenticatedRequest, run_id: int) -> HttpResponseBase:
    return _download(request, run_id, "pdf")


@requires("performance.report")
def report_csv(request: AuthenticatedRequest, run_id: int) -> HttpResponseBase:
    return _download(request, run_id, "csv")
