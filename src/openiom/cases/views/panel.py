"""The selection panel: its queue, a person's panel page, referring someone and recording a decision."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from openiom.access.models import Scheme
from openiom.access.policy import has_permission, requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cases import selectors, services
from openiom.cases.forms import DecisionForm, ReferToPanelForm
from openiom.cases.models import Case, CaseStatus
from openiom.cases.views.editing import FormPage, edit_page
from openiom.people.views import visible_person_or_refuse
from openiom.workforce.selectors import case_required_courses


@requires("panel.view")
def panel(request: AuthenticatedRequest) -> HttpResponse:
    queue = selectors.panel_queue(user=request.user)
    audit_record(user=request.user, action=AuditAction.PANEL_VIEW, detail={"people": len(queue)})
    return render(
        request,
        "cases/panel.html",
        {"queue": queue, "can_decide": has_permission(request.user, "panel.decide")},
    )


@requires("panel.view")
def panel_person(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id, "panel.view")
    data = selectors.panel_person(user=request.user, person=person)
    audit_record(
        user=request.user,
        action=AuditAction.PANEL_VIEW,
        object_type="person",
        object_id=person.pk,
        fields=["identity"],
    )
    return render(
        request,
        "cases/panel_person.html",
        {
            **data,
            "person": person,
            "can_decide": has_permission(request.user, "panel.decide"),
            "can_refer": has_permission(request.user, "panel.refer"),
        },
    )


def decision_saved(current: Case | None) -> list[tuple[Any, Any]]:
    """What the panel recorded while this page was open, as the conflict page shows it."""
    if current is None:
        return []
    latest = selectors.decision_latest(case=current)
    rows: list[tuple[Any, Any]] = [(_("Status"), current.get_status_display())]
    if latest is not None:
        rows += [(_("Decision"), latest.get_decision_display()), (_("Rationale"), latest.rationale)]
    return rows


def _panel_scheme(request: AuthenticatedRequest, person_id: int) -> Scheme:
    scheme = selectors.panel_scheme(user=request.user, person_id=person_id)
    if scheme is None:
        raise PermissionDenied(_("You are not a member of an IOM scheme."))
    return scheme


@requires("panel.refer")
def panel_refer(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id, "panel.refer")
    form = ReferToPanelForm(request.POST or None)
    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("Refer to the selection panel"),
            caption=str(person),
            person_id=person.pk,
            button=_("Refer"),
            back=reverse("cases:panel-person", args=[person.pk]),
        ),
        save=lambda d: services.panel_refer(
            user=request.user,
            scheme=_panel_scheme(request, person.pk),
            person=person,
            reason=d["reason"],
            mappa_level=d["mappa_level"],
        ),
        done=_("%(name)s has been referred to the selection panel.") % {"name": person},
    )


@requires("panel.decide")
def panel_decide(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id, "panel.decide")
    scheme = _panel_scheme(request, person.pk)
    case = selectors.scheme_case(scheme=scheme, person=person)
    form = DecisionForm(
        request.POST or None,
        scheme=scheme,
        initial={"version": case.version if case else 0},
        needed=case_required_courses(case) if case is not None else [],
    )
    back = reverse("cases:panel-person", args=[person.pk])
    intro = ""
    if case is not None and case.mappa_level:
        intro = _(
            "This person is managed under MAPPA (level %(level)d). Adopting them needs an override reason."
        ) % {"level": case.mappa_level}

    def after(decided: Case) -> str:
        if decided.status == CaseStatus.ACTIVE:
            return reverse("cases:detail", kwargs={"case_id": decided.pk})
        return back

    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("Record the panel's decision"),
            caption=str(person),
            person_id=person.pk,
            button=_("Save decision"),
            back=back,
            intro=intro,
        ),
        save=lambda d: services.panel_decide(
            user=request.user,
            scheme=scheme,
            person=person,
            decision=d["decision"],
            rationale=d["rationale"],
            mappa_override=d["mappa_override"],
            stream=d["stream"],
            lead_agency=d["lead_agency"],
            police_worker=d["police_worker"],
            probation_worker=d["probation_worker"],
            start_date=d["start_date"],
            candidate=selectors.decision_candidacy(person=person),
            version=d["version"],
            training_override=d["training_override"],
        ),
        done=_("The panel's decision has been recorded."),
        next_url=after,
        saved_version=lambda current: decision_saved(current),
    )
