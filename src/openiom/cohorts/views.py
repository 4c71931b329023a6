"""The analyst page: start a cohort analysis (compare definitions, their stability and offending
concentration) as a background job, follow its progress and read its results, each chart with the
same numbers in a table. No analysis runs inside a request (tests/cohorts/test_jobs.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openiom.access.policy import requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cohorts import job_presenters
from openiom.cohorts import job_selectors as selectors
from openiom.evaluation.models import EvaluationRun, RunStatus

if TYPE_CHECKING:
    from openiom.accounts.models import User

# The cohort engine (Ibis, DuckDB, pandas) runs in the job process only (openiom.cohorts.jobs), and the
# job mechanism (openiom.evaluation.jobs) is imported where a view uses it: a web worker loads
# every view module before its first request.

REFRESH_SECONDS = 2
RESIDENTS_MAX_BYTES = 1_000_000


class AnalysisForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("As-of date"),
        help_text=gettext_lazy("Events dealt with after this date are ignored. For example 2026-06-30"),
        input_formats=["%Y-%m-%d"],
    )
    definitions = forms.MultipleChoiceField(
        label=gettext_lazy("Selection definitions"), widget=forms.CheckboxSelectMultiple, required=False
    )
    residents = forms.FileField(
        label=gettext_lazy("Resident population (optional)"),
        help_text=gettext_lazy(
            "A CSV file with the columns dimension, group, population, to compare selection rates with "
            "the people who live in the area as well as with the offending population."
        ),
        required=False,
    )

    def clean_residents(self) -> dict[str, Any] | None:
        from openiom.cohorts.residents import ResidentsError, parse_residents

        upload = self.cleaned_data.get("residents")
        if not upload:
            return None
        if upload.size > RESIDENTS_MAX_BYTES:
            raise forms.ValidationError(gettext_lazy("The file is too large: at most 1 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
            table = parse_residents(text, name=upload.name)
        except UnicodeDecodeError:
            raise forms.ValidationError(gettext_lazy("The file must be a CSV file in UTF-8.")) from None
        except ResidentsError as exc:
            raise forms.ValidationError(exc.problems) from None
        return {"name": upload.name, "table": table}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        from openiom.cohorts.definition_selectors import analysable_definitions

        super().__init__(*args, **kwargs)
        field = self.fields["definitions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(d.id, d.title) for d in analysable_definitions(user=user)]


@requires("cohort.analyse")
def index(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {"as_of": request.GET.get("as_of") or today.isoformat()}
    form = AnalysisForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        user=request.user,
    )
    limit_error = ""
    if request.method == "POST" and form.is_valid():
        from openiom.cohorts.jobs import analysis_create
        from openiom.evaluation.jobs import evaluation_run_launch
        from openiom.evaluation.limits import JobLimitReached

        try:
            run = analysis_create(
                user=request.user,
                as_of=form.cleaned_data["as_of"],
                definitions=form.cleaned_data["definitions"],
                residents=form.cleaned_data["residents"],
            )
        except JobLimitReached as exc:
            limit_error = str(exc)
        else:
            evaluation_run_launch(run)
            return redirect("cohorts:job", job_id=run.pk)
    return render(
        request,
        "cohorts/index.html",
        {
            "form": form,
            "limit_error": limit_error,
            "people": selectors.people_counts(user=request.user),
            "jobs": selectors.cohort_jobs_recent(user=request.user),
        },
    )


def _job_or_404(request: AuthenticatedRequest, job_id: int) -> EvaluationRun:
    run = selectors.cohort_job_visible(user=request.user, job_id=job_id)
    if run is None:
        raise Http404
    return run  # type: ignore[no-any-return]


@requires("cohort.analyse")
def job(request: AuthenticatedRequest, job_id: int) -> HttpResponse:
    from openiom.cohorts.jobs import STEPS
    from openiom.evaluation.jobs import evaluation_run_check_worker, may_cancel, step_list

    run = evaluation_run_check_worker(_job_or_404(request, job_id))
    auto_refresh = not run.finished and request.GET.get("refresh") != "off"
    context: dict[str, Any] = {
        "run": run,
        "steps": step_list(run, STEPS, job_presenters.STEP_LABELS),
        "current_step": job_presenters.STEP_LABELS.get(run.step_text, run.step_text),
        "auto_refresh": auto_refresh,
        "refresh_seconds": REFRESH_SECONDS,
        "can_cancel": not run.finished and may_cancel(request.user, run),
    }
    if run.status == RunStatus.SUCCEEDED:
        audit_record(
            user=request.user,
            action=AuditAction.COHORT_RESULTS_VIEW,
            object_type="evaluation_run",
            object_id=run.pk,
        )
        context |= {"summary": run.summary, **job_presenters.charts(run.summary)}
    response = render(request, "cohorts/job.html", context)
    if auto_refresh:
        # A Refresh header, as the evaluation status page: no JavaScript, and a link that stops it.
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@requires("cohort.analyse")
@require_POST
def job_cancel(request: AuthenticatedRequest, job_id: int) -> HttpResponse:
    from openiom.evaluation.jobs import evaluation_run_cancel

    evaluation_run_cancel(user=request.user, run=_job_or_404(request, job_id))
    return redirect("cohorts:job", job_id=job_id)


@requires("cohort.analyse")
def job_csv(request: AuthenticatedRequest, job_id: int) -> HttpResponseBase:
    from pathlib import Path

    from openiom.cohorts.jobs import CSV_NAME

    run = _job_or_404(request, job_id)
    path = Path(run.output_dir) / CSV_NAME
    if run.status != RunStatus.SUCCEEDED or not path.is_file():
        return redirect("cohorts:job", job_id=run.pk)
    audit_record(
        user=request.user,
        action=AuditAction.COHORT_RESULTS_VIEW,
        object_type="evaluation_run",
        object_id=run.pk,
        detail={"file": CSV_NAME},
    )
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"cohort-analysis-{run.pk}.csv", content_type="text/csv"
    )
