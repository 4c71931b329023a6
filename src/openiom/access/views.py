from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from openiom.access import selectors, services
from openiom.access.policy import requires
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record

# Counts below this are shown as "fewer than 5" in national views so nobody can be singled out.
SMALL_NUMBER = 5


@requires("agreements.view")
def agreements(request: HttpRequest) -> HttpResponse:
    rows = selectors.agreements_visible_to(request.user)
    return render(request, "access/agreements.html", {"agreements": rows, "today": timezone.localdate()})


@requires("alerts.view")
def alerts(request: HttpRequest) -> HttpResponse:
    shown = list(selectors.alerts_visible_to(request.user))
    # One row per person named, so the read is in each person's access log.
    people = sorted({a.person_id for a in shown if a.person_id is not None})
    for person_id in people:
        audit_record(
            user=request.user, action=AuditAction.ALERTS_VIEW, object_type="person", object_id=person_id
        )
    if not people:
        audit_record(user=request.user, action=AuditAction.ALERTS_VIEW, detail={"shown": len(shown)})
    return render(request, "access/alerts.html", {"alerts": shown})


@requires("alerts.view")
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    if services.alert_acknowledge(user=request.user, alert_id=alert_id) is None:
        raise Http404
    return redirect("access:alerts")


def suppress(count: int) -> str | int:
    return count if count >= SMALL_NUMBER else f"fewer than {SMALL_NUMBER}"


@requires("national.view")
def national(request: HttpRequest) -> HttpResponse:
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
