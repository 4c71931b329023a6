"""Administering the configurable lists: cohort streams, services and contact types."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from openiom.access.policy import requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.cases import selectors, services
from openiom.cases.forms import SHARE_CHOICES, ListEntryForm, ListEntryNewForm
from openiom.cases.models import ListKind
from openiom.cases.presenters import form_fields, list_kinds
from openiom.cases.views.editing import FormPage, edit_page


@requires("lists.manage")
def list_index(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "cases/lists.html", {"kinds": list_kinds(selectors.list_entries(), SHARE_CHOICES)})


def _list_kind_or_404(kind: str) -> ListKind:
    if kind not in ListKind.values:
        raise Http404
    return ListKind(kind)


@requires("lists.manage")
def list_entry_new(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    list_kind = _list_kind_or_404(kind)
    form = ListEntryNewForm(request.POST or None, service=list_kind == ListKind.SERVICE)
    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("Add to the list: %(kind)s") % {"kind": list_kind.label},
            button=_("Add"),
            back=reverse("cases:lists"),
        ),
        save=lambda d: services.list_entry_create(
            user=request.user,
            kind=list_kind,
            code=d["code"],
            label=d["label"],
            pathway=d.get("pathway", ""),
            field_groups=d.get("field_groups", []),
        ),
        done=lambda d: _("“%(label)s” has been added.") % {"label": d["label"]},
    )


@requires("lists.manage")
def list_entry(request: AuthenticatedRequest, entry_id: int) -> HttpResponse:
    entry = selectors.list_entry_get(entry_id=entry_id)
    if entry is None:
        raise Http404
    initial = {
        "version": entry.version,
        "label": entry.label,
        "active": entry.active,
        "pathway": entry.pathway,
        "field_groups": entry.field_groups,
    }
    form = ListEntryForm(request.POST or None, initial=initial, service=entry.kind == ListKind.SERVICE)
    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("Change %(code)s") % {"code": entry.code},
            caption=entry.get_kind_display(),
            intro=_("Records already made keep this code; changing the label changes how they are shown."),
            button=_("Save"),
            back=reverse("cases:lists"),
        ),
        save=lambda d: services.list_entry_update(
            user=request.user,
            entry=entry,
            version=d["version"],
            label=d["label"],
            active=d["active"],
            pathway=d.get("pathway", ""),
            field_groups=d.get("field_groups", []),
        ),
        done=lambda d: _("“%(label)s” has been saved.") % {"label": d["label"]},
        saved_version=lambda current: form_fields(form, current, [n for n in form.fields if n != "version"]),
    )
