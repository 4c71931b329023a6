"""Transparency record pages: read a definition's record (HTML and JSON), edit its sections as a
new revision and publish it (coordinators). Thin: selectors read, services write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openiom.access.policy import has_permission, requires
from openiom.accounts.types import AuthenticatedRequest

if TYPE_CHECKING:
    from openiom.access.models import Scheme
    from openiom.cohorts.definition_selectors import DefinitionEntry
    from openiom.cohorts.models import TransparencyRecord

EDIT = "cohort.transparency.edit"


def _context(request: AuthenticatedRequest, definition_id: str) -> dict[str, Any]:
    """The definition, the scheme the page is about, its latest revision and what is shown."""
    from openiom.cohorts import definition_selectors, transparency_selectors
    from openiom.cohorts.transparency import generated_content

    try:
        entry: DefinitionEntry = definition_selectors.definition_get(
            user=request.user, definition_id=definition_id
        )
    except definition_selectors.DefinitionNotFound:
        raise Http404 from None
    raw = request.GET.get("scheme", "") or request.POST.get("scheme", "")
    scheme_id = int(raw) if raw.isdigit() else None
    scheme: Scheme | None = transparency_selectors.record_scheme(
        user=request.user, scheme_id=scheme_id, owner=entry.scheme
    )
    if raw and scheme is None:
        raise Http404
    latest: TransparencyRecord | None = None
    if scheme is not None:
        latest = transparency_selectors.record_latest(scheme=scheme, definition=entry.definition)
    scheme_name = scheme.name if scheme is not None else _("your scheme")
    content = latest.content if latest is not None else generated_content(entry.definition, scheme_name)
    return {
        "entry": entry,
        "definition": entry.definition,
        "scheme": scheme,
        "latest": latest,
        "content": content,
    }


def _document(request: AuthenticatedRequest, ctx: dict[str, Any]) -> dict[str, Any]:
    from openiom.cohorts import transparency_selectors
    from openiom.cohorts.transparency import record_document

    latest = ctx["latest"]
    figures = latest.figures if latest is not None else None
    if latest is None:
        figures = transparency_selectors.latest_fairness(user=request.user, label=ctx["definition"].label)
    return record_document(
        definition=ctx["definition"],
        scheme_name=ctx["scheme"].name if ctx["scheme"] is not None else "",
        content=ctx["content"],
        figures=figures,
        revision=latest.revision if latest is not None else None,
        status=latest.status if latest is not None else "generated",
        published_at=latest.published_at.isoformat() if latest is not None and latest.published_at else None,
    )


@requires("cohort.analyse")
def record(request: AuthenticatedRequest, definition_id: str) -> HttpResponse:
    from openiom.cohorts.fairness_presenters import display_row

    ctx = _context(request, definition_id)
    document = _document(request, ctx)
    figures = document["disproportionality"]
    rows = []
    if figures:
        rows = [display_row(r, figures["threshold"]) for r in figures["report"]["rows"]]
    ctx |= {
        "document": document,
        "figures": figures,
        "figure_rows": rows,
        "can_edit": ctx["scheme"] is not None and has_permission(request.user, EDIT),
    }
    return render(request, "cohorts/transparency.html", ctx)


@requires("cohort.analyse")
def record_json(request: AuthenticatedRequest, definition_id: str) -> HttpResponse:
    ctx = _context(request, definition_id)
    response = JsonResponse(_document(request, ctx), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="transparency-{ctx["definition"].id}.json"'
    return response


class RecordForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from openiom.cohorts.transparency import SECTIONS

        super().__init__(*args, **kwargs)
        for key, tier, heading in SECTIONS:
            self.fields[key] = forms.CharField(
                label=heading,
                help_text=_("Tier %(tier)s") % {"tier": tier},
                widget=forms.Textarea(attrs={"rows": 5}),
                required=False,
                max_length=10_000,
            )


@requires(EDIT)
def record_edit(request: AuthenticatedRequest, definition_id: str) -> HttpResponse:
    from openiom.cohorts import transparency_selectors, transparency_services

    ctx = _context(request, definition_id)
    if ctx["scheme"] is None:
        raise Http404
    form = RecordForm(request.POST if request.method == "POST" else None, initial=ctx["content"])
    if request.method == "POST" and form.is_valid():
        figures = transparency_selectors.latest_fairness(user=request.user, label=ctx["definition"].label)
        try:
            saved = transparency_services.transparency_record_save(
                user=request.user,
                scheme=ctx["scheme"],
                definition=ctx["definition"],
                content=form.cleaned_data,
                figures=figures or (ctx["latest"].figures if ctx["latest"] is not None else None),
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved revision %(n)s as a draft.") % {"n": saved.revision})
            return redirect(_record_url(definition_id, ctx["scheme"]))
    return render(request, "cohorts/transparency_form.html", ctx | {"form": form})


@requires(EDIT)
@require_POST
def record_publish(request: AuthenticatedRequest, definition_id: str) -> HttpResponse:
    from openiom.cohorts import transparency_services

    ctx = _context(request, definition_id)
    if ctx["latest"] is None:
        raise Http404
    transparency_services.transparency_record_publish(user=request.user, record=ctx["latest"])
    messages.success(request, _("Published revision %(n)s.") % {"n": ctx["latest"].revision})
    return redirect(_record_url(definition_id, ctx["scheme"]))


def _record_url(definition_id: str, scheme: Scheme) -> str:
    url = reverse("cohorts:transparency", kwargs={"definition_id": definition_id})
    return f"{url}?scheme={scheme.pk}"
