"""The case's plan: what the person must do, the agencies' actions, and making it active. Every
change saves the plan as a new version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openiom.access.policy import has_permission, requires
from openiom.access.restricted import PLACEHOLDER
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cases import rules, selectors, services
from openiom.cases.forms import ActionForm, ActionStatusForm, RequirementForm, VersionedForm
from openiom.cases.lists import labels, lists
from openiom.cases.models import ActionStatus, Case, Plan
from openiom.cases.presenters import plan_snapshot_rows
from openiom.cases.views.editing import HEALTH, FormPage, case_or_404, case_restricted, edit_page, plan_or_404


def _plan_page(
    request: AuthenticatedRequest,
    case: Case,
    plan: Plan,
    *,
    requirement_form: forms.Form | None = None,
    action_form: forms.Form | None = None,
    activate_errors: list[str] | None = None,
) -> HttpResponse:
    restricted = case_restricted(request, case)
    data = selectors.plan_page(plan=plan, health_open=restricted.health_open)
    audit_record(
        user=request.user,
        action=AuditAction.CASE_VIEW,
        object_type="case",
        object_id=case.pk,
        fields=["plan", *(["health"] if restricted.health_open else [])],
        detail={"person": case.person_id},
    )
    ctx = {
        **data,
        "restricted": restricted,
        "restricted_placeholder": restricted.placeholder(HEALTH),
        "placeholder": PLACEHOLDER,
        "case": case,
        "plan": plan,
        "can_edit": has_permission(request.user, "case.edit") and not rules.case_closed_problem(case.status),
        "requirement_form": requirement_form or RequirementForm(initial={"version": plan.version}),
        "action_form": action_form or ActionForm(initial={"version": plan.version}, scheme=case.scheme),
        "activate_errors": activate_errors or [],
        "action_statuses": ActionStatus.choices,
        "action_type_labels": labels(lists().action_types),
    }
    return render(request, "cases/plan.html", ctx)


@requires("case.view")
def plan(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    return _plan_page(request, case, plan_or_404(case))


def _saved_plan(request: AuthenticatedRequest, plan: Plan) -> list[tuple[Any, Any]]:
    restricted = case_restricted(request, plan.case)
    return plan_snapshot_rows(
        plan, selectors.plan_latest_version(plan=plan), health_open=restricted.health_open
    )


def _plan_post(
    request: AuthenticatedRequest,
    case_id: int,
    form_name: str,
    build: Callable[[Case, Plan], forms.Form],
    save: Callable[[Plan, dict[str, Any]], Any],
) -> HttpResponse:
    case = case_or_404(request, case_id, "case.edit")
    plan_ = plan_or_404(case)
    form = build(case, plan_)
    back = reverse("cases:plan", args=[case.pk])

    def show(form: forms.Form) -> HttpResponse:
        # The plan as it is now: the refused change may have raced another that was saved.
        current = plan_or_404(case)
        if form_name == "status_form":
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect(back)
        if form_name == "action_form":
            return _plan_page(request, case, current, action_form=form)
        return _plan_page(request, case, current, requirement_form=form)

    return edit_page(
        request,
        form,
        page=FormPage(title="", button="", caption=str(case.person), back=back),
        save=lambda d: save(plan_, d),
        done=_("Plan saved as a new version."),
        saved_version=lambda _current: _saved_plan(request, plan_),
        show=show,
    )


@requires("case.edit")
@require_POST
def plan_requirement(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    return _plan_post(
        request,
        case_id,
        "requirement_form",
        lambda case, plan_: RequirementForm(request.POST),
        lambda plan_, d: services.plan_add_requirement(
            user=request.user,
            plan=plan_,
            version=d["version"],
            text=d["text"],
            due_date=d["due_date"],
            how_checked=d["how_checked"],
        ),
    )


@requires("case.edit")
@require_POST
def plan_action(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    return _plan_post(
        request,
        case_id,
        "action_form",
        lambda case, plan_: ActionForm(request.POST, scheme=case.scheme),
        lambda plan_, d: services.plan_add_action(
            user=request.user,
            plan=plan_,
            version=d["version"],
            text=d["text"],
            owner_agency=d["owner_agency"],
            owner_worker=d["owner_worker"],
            due_date=d["due_date"],
            pathway=d["pathway"],
            victim_safety=d["victim_safety"],
            action_type=d["action_type"],
        ),
    )


@requires("case.edit")
@require_POST
def plan_action_status(request: AuthenticatedRequest, case_id: int, action_id: int) -> HttpResponse:
    return _plan_post(
        request,
        case_id,
        "status_form",
        lambda case, plan_: ActionStatusForm(request.POST),
        lambda plan_, d: services.plan_action_status(
            user=request.user, plan=plan_, version=d["version"], action_id=action_id, status=d["status"]
        ),
    )


@requires("case.edit")
@require_POST
def plan_activate(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id, "case.edit")
    plan_ = plan_or_404(case)
    form = VersionedForm(request.POST)
    back = reverse("cases:plan", args=[case.pk])
    if not form.is_valid():
        raise Http404
    try:
        services.plan_activate(user=request.user, plan=plan_, version=form.cleaned_data["version"])
    except services.Conflict:
        return render(
            request,
            "cases/conflict.html",
            {
                "case": case,
                "yours": [(_("Change"), _("Make the plan active"))],
                "saved": _saved_plan(request, plan_),
                "back": back,
            },
            status=409,
        )
    except services.CaseError as error:
        return _plan_page(request, case, plan_, activate_errors=list(error.errors.values()))
    messages.success(request, _("The plan is active."))
    return redirect(back)


def _plan_item_page(case: Case, title: str, button: str) -> FormPage:
    back = reverse("cases:plan", args=[case.pk])
    return FormPage(title=title, button=button, caption=str(case.person), case=case, back=back)


@requires("case.edit")
def plan_requirement_edit(request: AuthenticatedRequest, case_id: int, requirement_id: int) -> HttpResponse:
    case = case_or_404(request, case_id, "case.edit")
    plan_ = plan_or_404(case)
    requirement = selectors.plan_requirement_get(plan=plan_, requirement_id=requirement_id)
    if requirement is None:
        raise Http404
    initial = {
        "version": plan_.version,
        "text": requirement.text,
        "due_date": requirement.due_date,
        "how_checked": requirement.how_checked,
    }
    form = RequirementForm(request.POST or None, initial=initial)
    return edit_page(
        request,
        form,
        page=_plan_item_page(case, _("Change a requirement"), _("Save requirement")),
        save=lambda d: services.plan_edit_requirement(
            user=request.user,
            plan=plan_,
            version=d["version"],
            requirement_id=requirement.pk,
            text=d["text"],
            due_date=d["due_date"],
            how_checked=d["how_checked"],
        ),
        done=_("Plan saved as a new version."),
        saved_version=lambda _current: _saved_plan(request, plan_),
    )


@requires("case.edit")
@require_POST
def plan_requirement_withdraw(
    request: AuthenticatedRequest, case_id: int, requirement_id: int
) -> HttpResponse:
    return _plan_post(
        request,
        case_id,
        "status_form",
        lambda case, plan_: VersionedForm(request.POST),
        lambda plan_, d: services.plan_withdraw_requirement(
            user=request.user, plan=plan_, version=d["version"], requirement_id=requirement_id
        ),
    )


@requires("case.edit")
def plan_action_edit(request: AuthenticatedRequest, case_id: int, action_id: int) -> HttpResponse:
    case = case_or_404(request, case_id, "case.edit")
    plan_ = plan_or_404(case)
    action = selectors.plan_action_get(plan=plan_, action_id=action_id)
    if action is None:
        raise Http404
    restricted = case_restricted(request, case)
    if not restricted.pathway_shown(action.pathway):
        # A health action's text is health data: entitled users state a purpose on the plan page
        # first; to anyone else the action does not exist.
        if restricted.placeholder(HEALTH):
            messages.info(request, _("State a purpose on the plan page to see or change this action"))
            return redirect("cases:plan", case.pk)
        raise Http404
    initial = {
        "version": plan_.version,
        "text": action.text,
        "pathway": action.pathway,
        "owner_agency": action.owner_agency_id,
        "owner_worker": action.owner_worker_id,
        "due_date": action.due_date,
        "victim_safety": action.victim_safety,
        "action_type": action.action_type,
    }
    form = ActionForm(request.POST or None, initial=initial, scheme=case.scheme)
    return edit_page(
        request,
        form,
        page=_plan_item_page(case, _("Change an agency action"), _("Save action")),
        save=lambda d: services.plan_edit_action(
            user=request.user,
            plan=plan_,
            version=d["version"],
            action_id=action.pk,
            text=d["text"],
            owner_agency=d["owner_agency"],
            owner_worker=d["owner_worker"],
            due_date=d["due_date"],
            pathway=d["pathway"],
            victim_safety=d["victim_safety"],
            action_type=d["action_type"],
        ),
        done=_("Plan saved as a new version."),
        saved_version=lambda _current: _saved_plan(request, plan_),
    )
