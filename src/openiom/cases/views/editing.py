"""The one flow every cases form follows: form → service → conflict → message → redirect, and the
lookups every cases page starts with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from openiom.access import selectors as access
from openiom.access.restricted import RestrictedView, restricted_view
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cases import selectors, services
from openiom.cases.models import Case, Plan
from openiom.cases.presenters import field_value

HEALTH = access.HEALTH


def case_or_404(request: AuthenticatedRequest, case_id: int, action: str = "case.view") -> Case:
    case = selectors.case_get(user=request.user, case_id=case_id, action=action)
    if case is None:
        raise Http404
    return case


def plan_or_404(case: Case) -> Plan:
    plan = selectors.plan_get(case=case)
    if plan is None:
        raise Http404
    return plan


def case_restricted(request: AuthenticatedRequest, case: Case) -> RestrictedView:
    """The restricted-data check for the case's person: every cases page asks it."""
    return restricted_view(request, case.person)


def health_open(request: AuthenticatedRequest, case: Case) -> bool:
    return case_restricted(request, case).health_open


@dataclass(frozen=True)
class FormPage:
    """The page a form is shown on (cases/form_page.html); `back` is where it, and its conflict
    page, link back to."""

    title: str
    button: str
    back: str
    caption: str = ""
    intro: str = ""
    case: Case | None = None
    # A form page about a person is a read of their record (its caption names them, its fields
    # show what is saved): it is audited as `read`, with the restricted `fields` it shows.
    person_id: int | None = None
    read: AuditAction = AuditAction.CASE_FORM_VIEW
    fields: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)

    def render(self, request: AuthenticatedRequest, form: forms.Form) -> HttpResponse:
        if self.case is not None:
            audit_record(
                user=request.user,
                action=self.read,
                object_type="case",
                object_id=self.case.pk,
                fields=self.fields,
                detail={"person": self.case.person_id, "page": request.path, **self.detail},
            )
        elif self.person_id is not None:
            audit_record(
                user=request.user,
                action=self.read,
                object_type="person",
                object_id=self.person_id,
                fields=self.fields,
                detail={"page": request.path, **self.detail},
            )
        return render(
            request,
            "cases/form_page.html",
            {
                "title": self.title,
                "form": form,
                "case": self.case,
                "button": self.button,
                "back": self.back,
                "caption": self.caption,
                "intro": self.intro,
                "restricted": case_restricted(request, self.case) if self.case else None,
            },
        )


def edit_page[Saved](
    request: AuthenticatedRequest,
    form: forms.Form,
    *,
    page: FormPage,
    save: Callable[[dict[str, Any]], Saved],
    done: str | Callable[[dict[str, Any]], str],
    next_url: str | Callable[[Saved], str] | None = None,
    saved_version: Callable[[Any], list[tuple[Any, Any]]] | None = None,
    show: Callable[[forms.Form], HttpResponse] | None = None,
) -> HttpResponse:
    """Show the form; on a valid POST, save it through the service and redirect with a message.

    `done` is the success message (or makes it from the cleaned data); `next_url` is where to go
    after saving (default `page.back`). A service's CaseError lands on the form's fields. A
    Conflict (someone saved first) shows `saved_version(conflict.current)` beside what this user
    tried to save; without `saved_version` the service is not expected to raise it. `show` replaces
    the standard form page for pages that embed their form.
    """
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = save(data)
        except services.Conflict as conflict:
            if saved_version is None:
                raise
            return conflict_page(
                request,
                caption=page.caption,
                form=form,
                saved=saved_version(conflict.current),
                back=page.back,
            )
        except services.CaseError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done if isinstance(done, str) else done(data))
            if next_url is None:
                return redirect(page.back)
            return redirect(next_url if isinstance(next_url, str) else next_url(saved))
    return show(form) if show is not None else page.render(request, form)


def apply_errors(form: forms.Form, error: services.CaseError) -> None:
    for name, message in error.errors.items():
        form.add_error(name if name in form.fields else None, message)


def conflict_page(
    request: AuthenticatedRequest,
    *,
    caption: str,
    form: forms.Form,
    saved: list[tuple[Any, Any]],
    back: str,
) -> HttpResponse:
    """Someone saved first: show their saved version beside what this user tried to save."""
    yours = [
        (form.fields[name].label, field_value(form.fields[name], value))
        for name, value in form.cleaned_data.items()
        if name != "version"
    ]
    return render(
        request,
        "cases/conflict.html",
        {"caption": caption, "yours": yours, "saved": saved, "back": back},
        status=409,
    )
