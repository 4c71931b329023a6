"""Definition pages: read a definition (rule in words and as YAML, versions), copy it into a
scheme, edit a scheme's own definition as a new version, and run it on the analysis page.

Kept apart from views.py (the analysis page). The text is checked by the command line's parser;
its errors name the key (`definition: rule.count.at_least: ...`) and are shown against the field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openiom.access.policy import requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.cohorts.definition_forms import DefinitionForm

# The definition parser lives in the cohort engine, whose package loads Ibis and DuckDB: a web
# worker loads every view module before its first request, so the engine is imported on use.
if TYPE_CHECKING:
    from openiom.cohorts.definition_selectors import DefinitionEntry


def _entry_or_404(
    request: AuthenticatedRequest, definition_id: str, version: int | None = None
) -> DefinitionEntry:
    from openiom.cohorts import definition_selectors as selectors

    try:
        return selectors.definition_get(user=request.user, definition_id=definition_id, version=version)
    except selectors.DefinitionNotFound:
        raise Http404 from None


@requires("cohort.analyse")
def definition_list(request: AuthenticatedRequest) -> HttpResponse:
    from openiom.cohorts import definition_selectors as selectors

    entries = selectors.definition_list(user=request.user)
    return render(request, "cohorts/definition_list.html", {"entries": entries})


@requires("cohort.analyse")
def definition_detail(request: AuthenticatedRequest, definition_id: str) -> HttpResponse:
    from openiom.cohorts import definition_selectors as selectors
    from openiom.cohorts.definition_presenters import rule_lines

    raw = request.GET.get("version", "")
    version = int(raw) if raw.isdigit() else None
    if raw and version is None:
        raise Http404
    entry = _entry_or_404(request, definition_id, version)
    return render(
        request,
        "cohorts/definition_detail.html",
        {
            "entry": entry,
            "definition": entry.definition,
            "lines": rule_lines(entry.definition),
            "can_copy": selectors.definition_schemes(request.user).exists(),
            "today": timezone.localdate().isoformat(),
        },
    )


def _copy_text(text: str, definition_id: str) -> str:
    """The text a copy starts from: the same, with an id of its own."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("id:"):
            lines[i] = f"id: {definition_id}-copy\n"
            break
    return "".join(lines)


def _form_page(
    request: AuthenticatedRequest, form: DefinitionForm, entry: DefinitionEntry, *, copy: bool
) -> HttpResponse:
    return render(request, "cohorts/definition_form.html", {"form": form, "entry": entry, "copy": copy})


def _save(
    request: AuthenticatedRequest, form: DefinitionForm, entry: DefinitionEntry, *, copy: bool
) -> HttpResponse:
    from openiom.cohorts import definition_services as services
    from openiom.cohorts.engine.definitions import DefinitionError

    if not form.is_valid():
        return _form_page(request, form, entry, copy=copy)
    definition = entry.definition
    try:
        row = services.scheme_definition_save(
            user=request.user,
            scheme=form.cleaned_data["scheme"],
            text=form.cleaned_data["text"],
            note=form.cleaned_data["note"],
            based_on=definition.label if copy else "",
            base_text=entry.text,
            new_version_of=None if copy else definition.id,
        )
    except DefinitionError as exc:
        for problem in exc.problems:
            form.add_error("text", problem)
        return _form_page(request, form, entry, copy=copy)
    except PermissionDenied as exc:
        form.add_error("scheme", str(exc))
        return _form_page(request, form, entry, copy=copy)
    messages.success(
        request,
        _("Saved %(id)s version %(version)s.") % {"id": row.definition_id, "version": row.version},
    )
    return redirect(reverse("cohorts:definition", kwargs={"definition_id": row.definition_id}))


@requires("cohort.analyse")
def definition_copy(request: AuthenticatedRequest, definition_id: str) -> HttpResponse:
    from openiom.cohorts import definition_selectors as selectors

    entry = _entry_or_404(request, definition_id)
    schemes = selectors.definition_schemes(request.user)
    if not schemes.exists():
        messages.info(
            request, _("Only members of an IOM scheme can save definitions; you are not a member of one.")
        )
        return redirect(reverse("cohorts:definition", kwargs={"definition_id": definition_id}))
    if request.method == "POST":
        return _save(request, DefinitionForm(request.POST, schemes=schemes), entry, copy=True)
    initial = {"text": _copy_text(entry.text, entry.definition.id), "scheme": schemes.first()}
    if entry.scheme is not None:
        initial["scheme"] = entry.scheme
    return _form_page(request, DefinitionForm(initial=initial, schemes=schemes), entry, copy=True)


@requires("cohort.analyse")
def definition_edit(request: AuthenticatedRequest, definition_id: str) -> HttpResponse:
    from openiom.cohorts import definition_selectors as selectors

    entry = _entry_or_404(request, definition_id)
    if entry.saved is None:
        # Built-in definitions change only with a release; an analyst edits a copy.
        return redirect(reverse("cohorts:definition-copy", kwargs={"definition_id": definition_id}))
    schemes = selectors.definition_schemes(request.user)
    initial: dict[str, Any] = {"text": entry.text, "scheme": entry.scheme}
    if request.method == "POST":
        form = DefinitionForm(request.POST, initial=initial, schemes=schemes, fixed_scheme=True)
        return _save(request, form, entry, copy=False)
    return _form_page(
        request, DefinitionForm(initial=initial, schemes=schemes, fixed_scheme=True), entry, copy=False
    )
