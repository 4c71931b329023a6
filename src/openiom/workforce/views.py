"""The Workforce pages: the coordinator's page (coverage, expiries, cases held by untrained staff,
overrides) and its CSV, entering a training record, a worker's own record, the catalogue."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openiom.access.policy import has_permission, requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cases.lists import labels, lists
from openiom.cohorts.charts import bar_chart
from openiom.workforce import rules, selectors, services
from openiom.workforce.forms import CourseForm, LanesForm, RecordForm
from openiom.workforce.models import CaseFlag
from openiom.workforce.rules import WorkforceError


def _form_page(
    request: AuthenticatedRequest,
    form: forms.Form,
    *,
    title: str,
    button: str,
    back: str,
    save: Callable[[dict[str, Any]], Any],
    done: str,
    caption: str = "",
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except WorkforceError as error:
            for name, message in error.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        "cases/form_page.html",
        {"title": title, "form": form, "button": button, "back": back, "caption": caption},
    )


def _figures(request: AuthenticatedRequest) -> selectors.WorkforceFigures:
    scheme = selectors.scheme_for(request.user, request.GET.get("scheme"))
    if scheme is None:
        raise Http404
    return selectors.workforce_figures(request.user, scheme)


@requires("workforce.view")
def index(request: AuthenticatedRequest) -> HttpResponse:
    if selectors.scheme_for(request.user, None) is None and not request.GET.get("scheme"):
        return render(request, "workforce/no_scheme.html")
    figures = _figures(request)
    audit_record(
        user=request.user,
        action=AuditAction.WORKFORCE_VIEW,
        object_type="scheme",
        object_id=figures.scheme.pk,
        detail={"gaps": len(figures.gaps), "overrides": len(figures.overrides)},
    )
    bars = [
        (row.course.title, float(row.percent), f"{row.percent}%") for row in figures.coverage if row.total
    ]
    return render(
        request,
        "workforce/index.html",
        {
            "figures": figures,
            "schemes": selectors.user_schemes_of(request.user),
            "expiring_days": rules.EXPIRING_DAYS,
            "may_manage_lanes": has_permission(request.user, "lanes.manage"),
            "coverage_chart": bar_chart(
                ident="coverage",
                title=_("Workers with the course in date, all agencies"),
                description=_(
                    "Bar chart of the percentages in the All agencies rows of the coverage table above."
                ),
                bars=bars,
            )
            if bars
            else "",
        },
    )


@requires("workforce.view")
def coverage_csv(request: AuthenticatedRequest) -> HttpResponse:
    figures = _figures(request)
    audit_record(
        user=request.user,
        action=AuditAction.WORKFORCE_DOWNLOAD,
        object_type="scheme",
        object_id=figures.scheme.pk,
        detail={"file": "coverage.csv"},
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["agency", "course", "workers", "in_date", "missing_or_expired", "expiring_60_days"])
    for row in figures.coverage:
        writer.writerow([row.agency, row.course.code, row.workers, row.in_date, row.missing, row.expiring])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="workforce-{figures.scheme.code}.csv"'
    return response


@requires("training.record")
def record_new(request: AuthenticatedRequest) -> HttpResponse:
    workers = selectors.workers_of(request.user)
    form = RecordForm(request.POST or None, workers=workers)
    return _form_page(
        request,
        form,
        title=_("Record a completed course"),
        button=_("Save training record"),
        back=reverse("workforce:index"),
        save=lambda d: services.training_record_add(
            user=request.user,
            worker=d["worker"],
            course=d["course"],
            completed_on=d["completed_on"],
            evidence=d["evidence"],
        ),
        done=_("Training record saved."),
    )


@requires("training.own")
def mine(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    records = [
        (r, rules.in_date(r.expires_on, today), rules.expiring_soon(r.expires_on, today))
        for r in selectors.own_records(request.user)
    ]
    audit_record(
        user=request.user, action=AuditAction.TRAINING_OWN, object_type="user", object_id=request.user.pk
    )
    return render(request, "workforce/mine.html", {"records": records, "today": today})


@requires("courses.manage")
def course_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "workforce/courses.html",
        {
            "courses": selectors.courses(),
            "flag_labels": dict(CaseFlag.choices),
            "stream_labels": labels(lists().streams),
        },
    )


@requires("courses.manage")
def course_new(request: AuthenticatedRequest) -> HttpResponse:
    form = CourseForm(request.POST or None, new=True)
    return _form_page(
        request,
        form,
        title=_("Add a course"),
        button=_("Add course"),
        back=reverse("workforce:courses"),
        save=lambda d: services.course_create(
            user=request.user,
            code=d["code"],
            title=d["title"],
            validity_months=d["validity_months"],
            flags=d["flags"],
            streams=d["streams"],
        ),
        done=_("Course added."),
    )


@requires("courses.manage")
def course_edit(request: AuthenticatedRequest, course_id: int) -> HttpResponse:
    course = selectors.course_get(course_id)
    if course is None:
        raise Http404
    initial = {
        "version": course.version,
        "title": course.title,
        "validity_months": course.validity_months,
        "flags": course.flags,
        "streams": course.streams,
        "active": course.active,
    }
    form = CourseForm(request.POST or None, new=False, initial=initial)
    return _form_page(
        request,
        form,
        title=_("Change a course"),
        caption=course.code,
        button=_("Save course"),
        back=reverse("workforce:courses"),
        save=lambda d: services.course_update(
            user=request.user,
            course=course,
            version=d["version"] or 0,
            title=d["title"],
            validity_months=d["validity_months"],
            flags=d["flags"],
            streams=d["streams"],
            active=d["active"],
        ),
        done=_("Course saved."),
    )


@requires("lanes.manage")
def lanes(request: AuthenticatedRequest) -> HttpResponse:
    scheme = selectors.scheme_for(request.user, request.GET.get("scheme"))
    if scheme is None:
        raise Http404
    form = LanesForm(request.POST or None, mapping=selectors.lane_map(scheme))
    return _form_page(
        request,
        form,
        title=_("Which agency should own each type of action"),
        caption=scheme.name,
        button=_("Save the lanes"),
        back=reverse("workforce:index") + f"?scheme={scheme.code}",
        save=lambda d: services.lanes_save(user=request.user, scheme=scheme, mapping=d),
        done=_("Lanes saved."),
    )
