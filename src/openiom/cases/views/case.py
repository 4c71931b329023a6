"""The case page, opening its restricted health part, and editing its risk and needs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openiom.access import selectors as access
from openiom.access.policy import has_permission, requires
from openiom.access.restricted import PLACEHOLDER, RevealForm, restricted_open, restricted_view
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cases import rules, selectors, services
from openiom.cases.forms import NeedForm, RiskForm
from openiom.cases.lists import label, lists
from openiom.cases.models import RESTRICTED_PATHWAYS, Pathway
from openiom.cases.presenters import case_tables, form_fields
from openiom.cases.views.editing import HEALTH, FormPage, case_or_404, edit_page, health_open
from openiom.performance import selectors as performance_selectors


@requires("case.view")
def detail(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    grants = access.person_access(request.user, case.person)
    restricted = restricted_view(request, case.person, grants)
    opened = restricted.health_open
    data = selectors.case_page(case=case, health_open=opened)
    configured = lists()
    closed = rules.case_closed_problem(case.status)
    audit_record(
        user=request.user,
        action=AuditAction.CASE_VIEW,
        object_type="case",
        object_id=case.pk,
        fields=sorted(grants.field_groups | ({HEALTH} if opened else set())),
        detail={"person": case.person_id},
    )
    return render(
        request,
        "cases/detail.html",
        {
            **data,
            **case_tables(data, configured),
            "case": case,
            "health_open": opened,
            "restricted": restricted,
            "restricted_placeholder": restricted.placeholder(HEALTH),
            "placeholder": PLACEHOLDER,
            # A closed case is read-only: nothing offers a change but the coordinator's reopen.
            "can_edit": has_permission(request.user, "case.edit") and closed is None,
            "can_decide": has_permission(request.user, "panel.decide"),
            "closed": closed,
            "can_reveal": HEALTH in grants.restricted_allowed,
            "can_break_glass": grants.emergency_allowed and HEALTH not in grants.restricted_allowed,
            "reveal_form": RevealForm(),
            "stream_label": label(configured.streams, case.stream),
            "today": timezone.localdate(),
            "performance_panel": performance_selectors.case_panel(case),
        },
    )


@requires("case.view")
@require_POST
def reveal_health(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """The reveal-with-purpose flow of the person page, returning to the case."""
    case = case_or_404(request, case_id)
    problem = restricted_open(request, case.person, HEALTH)
    if problem:
        messages.error(request, problem)
    return redirect(reverse("cases:detail", args=[case.pk]) + "#needs")


@requires("case.edit")
def risk(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id, "case.edit")
    initial = {n: getattr(case, n) for n in services.RISK_FIELDS} | {"version": case.version}
    form = RiskForm(request.POST or None, initial=initial)
    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("Risk of serious harm and flags"),
            caption=str(case.person),
            case=case,
            button=_("Save"),
            back=reverse("cases:detail", args=[case.pk]),
        ),
        save=lambda d: services.case_risk_update(
            user=request.user,
            case=case,
            version=d["version"],
            **{k: v for k, v in d.items() if k != "version"},
        ),
        done=_("Risk and flags saved."),
        saved_version=lambda current: form_fields(form, current, services.RISK_FIELDS),
    )


@requires("case.edit")
def need(request: AuthenticatedRequest, case_id: int, pathway: str) -> HttpResponse:
    case = case_or_404(request, case_id, "case.edit")
    if pathway not in Pathway.values:
        raise Http404
    back = reverse("cases:detail", args=[case.pk]) + "#needs"
    if pathway in RESTRICTED_PATHWAYS and not health_open(request, case):
        messages.error(
            request, _("Open the restricted health information, stating why, before recording this need.")
        )
        return redirect(back)
    existing = selectors.need_get(case=case, pathway=pathway)
    initial: dict[str, Any] = {"version": case.version}
    if existing:
        initial |= {
            "level": existing.level,
            "notes": existing.notes,
            "no_action_reason": existing.no_action_reason,
        }
    form = NeedForm(request.POST or None, initial=initial)

    def saved_version(current_case: Any) -> list[tuple[Any, Any]]:
        saved = form_fields(
            form, selectors.need_get(case=case, pathway=pathway), ("level", "notes", "no_action_reason")
        )
        return [*saved, (_("Case last saved"), current_case.updated_at)]

    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("Need: %(pathway)s") % {"pathway": Pathway(pathway).label},
            caption=str(case.person),
            case=case,
            read=AuditAction.CASE_NEED_VIEW,
            fields=(HEALTH,) if pathway in RESTRICTED_PATHWAYS else (),
            detail={"pathway": pathway},
            button=_("Save need"),
            back=back,
        ),
        save=lambda d: services.need_save(
            user=request.user,
            case=case,
            version=d["version"],
            pathway=pathway,
            level=d["level"],
            notes=d["notes"],
            no_action_reason=d["no_action_reason"],
        ),
        done=_("Need saved."),
        saved_version=saved_version,
    )
