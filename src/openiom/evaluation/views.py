from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from openiom.access.policy import requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.evaluation import selectors
from openiom.evaluation.forms import CasesEvaluationForm, EvaluationForm
from openiom.evaluation.models import EvaluationRun, RunStatus

# `openiom.evaluation.services` and `.config` are imported inside the views that use them: they
# bring the pipeline (pandas, scikit-learn, SciPy) and pydantic, which took seconds to load, and a
# web worker loads every view module before its first request.

REFRESH_SECONDS = 3
# The pipeline's stage names, for translation on the status page (with services.REPORT_STAGE's).
STEP_LABELS = {
    "reading histories": _("reading the offending histories"),
    "choosing the comparison pool": _("choosing the comparison pool"),
    "computing covariates": _("describing everyone's history"),
    "fitting the propensity model": _("fitting the propensity model"),
    "matching": _("matching"),
    "checking balance": _("checking the groups are alike"),
    "computing outcomes": _("computing reoffending outcomes"),
    "estimating effects": _("estimating effects"),
    "cost-benefit": _("cost-benefit"),
    "subgroups": _("subgroups"),
}
REPORT_STAGE_LABEL = _("writing the report")


@requires("evaluation.run")
def index(request: AuthenticatedRequest) -> HttpResponse:
    schemes = selectors.schemes_of(request.user)
    cases_form = CasesEvaluationForm(user=request.user, schemes=schemes)
    if request.method == "POST" and request.POST.get("cases-source") == "cases":
        cases_form = CasesEvaluationForm(request.POST, user=request.user, schemes=schemes)
        if cases_form.is_valid():
            from openiom.evaluation import services

            run = services.evaluation_run_create_from_cases(
                user=request.user,
                scheme=cases_form.cleaned_data["scheme"],
                streams=cases_form.cleaned_data["streams"],
                adopted_from=cases_form.cleaned_data["adopted_from"],
                adopted_to=cases_form.cleaned_data["adopted_to"],
                outcomes=cases_form.cleaned_data["outcomes"],
                data_end=cases_form.cleaned_data["data_end"],
                title=cases_form.cleaned_data["title"],
            )
            services.evaluation_run_launch(run)
            return redirect("evaluation:status", run_id=run.pk)
        form = EvaluationForm(initial={"config": selectors.example_config_text()}, schemes=schemes)
    elif request.method == "POST":
        form = EvaluationForm(request.POST, request.FILES, schemes=schemes)
        if form.is_valid():
            # Only starting a run needs the pipeline: showing the page must not wait for it to load.
            from openiom.evaluation import services
            from openiom.evaluation.config import ConfigError

            upload = form.cleaned_data["treated"]
            scheme = form.cleaned_data.get("scheme") or (schemes[0] if len(schemes) == 1 else None)
            try:
                run = services.evaluation_run_create(
                    user=request.user,
                    config_text=form.cleaned_data["config"],
                    treated_name=upload.name if upload else None,
                    treated_chunks=upload.chunks() if upload else (),
                    scheme=scheme,
                )
            except ConfigError as exc:
                for line in str(exc).splitlines():
                    form.add_error("config", line)
            except services.UploadError as exc:
                form.add_error("treated", str(exc))
            else:
                services.evaluation_run_launch(run)
                return redirect("evaluation:status", run_id=run.pk)
    else:
        form = EvaluationForm(initial={"config": selectors.example_config_text()}, schemes=schemes)
    return render(
        request,
        "evaluation/index.html",
        {
            "form": form,
            "cases_form": cases_form,
            # The error summary lists the errors of the form that was sent.
            "error_form": cases_form if cases_form.is_bound else form,
            "expert_open": form.is_bound,
            "runs": selectors.runs_recent(request.user),
            "data_files": selectors.data_files(),
        },
    )


def _run_or_404(request: AuthenticatedRequest, run_id: int) -> EvaluationRun:
    run = selectors.run_visible(request.user, run_id)
    if run is None:
        raise Http404
    return run


@requires("evaluation.run")
def status(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    from openiom.evaluation import from_cases, services
    from openiom.evaluation.jobs import step_list

    labels = STEP_LABELS | {services.REPORT_STAGE: REPORT_STAGE_LABEL}
    run = services.evaluation_run_check_worker(_run_or_404(request, run_id))
    auto_refresh = not run.finished and request.GET.get("refresh") != "off"
    if run.status == RunStatus.SUCCEEDED:
        audit_record(
            user=request.user,
            action=AuditAction.EVALUATION_VIEW,
            object_type="evaluation_run",
            object_id=run.pk,
        )
    steps = step_list(run, services.STEPS, labels)
    response = render(
        request,
        "evaluation/status.html",
        {
            "run": run,
            "from_cases": from_cases.is_from_cases(run.config),
            "steps": steps,
            "current_step": labels.get(run.step_text, run.step_text),
            "auto_refresh": auto_refresh,
            "can_cancel": not run.finished and services.may_cancel(request.user, run),
            "refresh_seconds": REFRESH_SECONDS,
            "summary": run.summary if run.status == RunStatus.SUCCEEDED else None,
            "downloads": {
                kind: selectors.report_file(run, kind) is not None for kind in selectors.REPORT_FILES
            },
        },
    )
    if auto_refresh:
        # A Refresh header rather than a meta element: the same behaviour, nothing in the markup, and the
        # page offers a link that stops it (WCAG 2.2.1 and 2.2.2).
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@requires("evaluation.run")
@require_POST
def cancel(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    from openiom.evaluation import services

    services.evaluation_run_cancel(user=request.user, run=_run_or_404(request, run_id))
    return redirect("evaluation:status", run_id=run_id)


CONTENT_TYPES = {"html": "text/html", "pdf": "application/pdf", "json": "application/json"}


def _download(request: AuthenticatedRequest, run_id: int, kind: str) -> HttpResponseBase:
    run = _run_or_404(request, run_id)
    path = selectors.report_file(run, kind)
    if path is None:
        # Not ready yet (or the run did not succeed): the status page says which.
        return redirect("evaluation:status", run_id=run.pk)
    audit_record(
        user=request.user,
        action=AuditAction.EVALUATION_DOWNLOAD,
        object_type="evaluation_run",
        object_id=run.pk,
        detail={"file": path.name},
    )
    # Always a download: the report is a standalone document with its own styles, not a page of this site.
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"evaluation-{run.pk}-{path.name}",
        content_type=CONTENT_TYPES[kind],
    )


@requires("evaluation.run")
def report_html(request: AuthenticatedRequest, run_id: int) -> HttpResponseBase:
    return _download(request, run_id, "html")


@requires("evaluation.run")
def report_pdf(request: AuthenticatedRequest, run_id: int) -> HttpResponseBase:
    return _download(request, run_id, "pdf")


@requires("evaluation.run")
def results_json(request: AuthenticatedRequest, run_id: int) -> HttpResponseBase:
    return _download(request, run_id, "json")
