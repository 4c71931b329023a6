from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openiom.access import selectors, services
from openiom.access.forms import AlertReviewForm
from openiom.access.policy import requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record

# Counts below this are shown as "fewer than 5" in national views so nobody can be singled out.
SMALL_NUMBER = 5


@requires("agreements.view")
def agreements(request: AuthenticatedRequest) -> HttpResponse:
    rows = selectors.agreements_visible_to(request.user)
    return render(request, "access/agreements.html", {"agreements": rows, "today": timezone.localdate()})


def _alerts_page(
    request: AuthenticatedRequest, *, failed: int | None = None, form: AlertReviewForm | None = None
) -> HttpResponse:
    rows = [
        (row, form if form is not None and row.alert.pk == failed else review_form(row.alert.pk))
        for row in selectors.alert_rows(request.user)
    ]
    # One row per person named, so the read is in each person's access log.
    people = sorted({r.person_id for r, _form in rows if r.person_id})
    for person_id in people:
        audit_record(
            user=request.user, action=AuditAction.ALERTS_VIEW, object_type="person", object_id=person_id
        )
    if not people:
        audit_record(user=request.user, action=AuditAction.ALERTS_VIEW, detail={"shown": len(rows)})
    return render(
        request,
        "access/alerts.html",
        {"rows": rows},
        status=400 if form is not None else 200,
    )


def review_form(alert_id: int, data: Any = None) -> AlertReviewForm:
    # One form per alert on the page: the prefix keeps their field ids apart.
    return AlertReviewForm(data, prefix=f"alert-{alert_id}")


@requires("alerts.view")
def alerts(request: AuthenticatedRequest) -> HttpResponse:
    return _alerts_page(request)


@requires("alerts.view")
@require_POST
def alert_acknowledge(request: AuthenticatedRequest, alert_id: int) -> HttpResponse:
    """Record the review of one emergency access: justified or not, with a note."""
    form = review_form(alert_id, request.POST)
    if not form.is_valid():
        if selectors.alert_get(request.user, alert_id) is None:
            raise Http404
        return _alerts_page(request, failed=alert_id, form=form)
    reviewed = services.alert_review(
        user=request.user,
        alert_id=alert_id,
        outcome=form.cleaned_data["outcome"],
        note=form.cleaned_data["note"],
    )
    if reviewed is None:
        raise Http404
    messages.success(request, _("Your review is recorded."))
    return redirect("access:alerts")


def suppress(count: int) -> str | int:
    return count if count >= SMALL_NUMBER else f"fewer than {SMALL_NUMBER}"


@requires("national.view")
def national(request: AuthenticatedRequest) -> HttpResponse:
    """Counts by scheme and region, never a person; small numbers are suppressed."""
    schemes = selectors.people_per_scheme()
    rows = [{"scheme": s.scheme, "region": s.region, "people": suppress(s.people)} for s in schemes]
    regions: dict[str, int] = {}
    for s in schemes:
        regions[s.region] = regions.get(s.region, 0) + s.people
    audit_record(user=request.user, action=AuditAction.NATIONAL_VIEW)
    return render(
        request,
        "access/national.html",
        {
            "rows": rows,
            "regions": [{"region": r, "people": suppress(n)} for r, n in sorted(regions.items())],
            "threshold": SMALL_NUMBER,
        },
    )
