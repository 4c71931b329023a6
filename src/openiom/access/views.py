from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from openiom.access.models import CoordinatorAlert, Scheme, SharingAgreement
from openiom.access.policy import Scope, requires, scope_for
from openiom.access.selectors import user_schemes
from openiom.audit.services import audit_record

# Counts below this are shown as "fewer than 5" in national views so nobody can be singled out.
SMALL_NUMBER = 5


def _schemes_in_scope(request: HttpRequest, action: str) -> QuerySet[Scheme]:
    return (
        Scheme.objects.all() if scope_for(request.user, action) == Scope.ALL else user_schemes(request.user)
    )


@requires("agreements.view")
def agreements(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = (
        SharingAgreement.objects.filter(scheme__in=_schemes_in_scope(request, "agreements.view"))
        .select_related("scheme")
        .prefetch_related("parties")
        .order_by("scheme__name", "title")
    )
    return render(request, "access/agreements.html", {"agreements": rows, "today": today})


@requires("alerts.view")
def alerts(request: HttpRequest) -> HttpResponse:
    rows = (
        CoordinatorAlert.objects.filter(scheme__in=user_schemes(request.user))
        .select_related("scheme", "raised_by")
        .order_by("acknowledged_at", "-raised_at")
    )
    return render(request, "access/alerts.html", {"alerts": rows})


@requires("alerts.view")
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = CoordinatorAlert.objects.filter(pk=alert_id, scheme__in=user_schemes(request.user)).first()
    if alert is None:
        raise Http404
    alert.acknowledged_at = timezone.now()
    alert.save(update_fields=["acknowledged_at"])
    audit_record(
        user=request.user, action="alerts.acknowledge", object_type="coordinator_alert", object_id=alert.pk
    )
    return redirect("access:alerts")


def suppress(count: int) -> str | int:
    return count if count >= SMALL_NUMBER else f"fewer than {SMALL_NUMBER}"


@requires("national.view")
def national(request: HttpRequest) -> HttpResponse:
    """Counts by scheme and region, never a person; small numbers are suppressed."""
    schemes = Scheme.objects.annotate(people_count=Count("people", distinct=True)).order_by("region", "name")
    rows = [{"scheme": s.name, "region": s.region, "people": suppress(s.people_count)} for s in schemes]
    regions: dict[str, int] = {}
    for s in schemes:
        regions[s.region] = regions.get(s.region, 0) + s.people_count
    audit_record(user=request.user, action="national.view")
    return render(
        request,
        "access/national.html",
        {
            "rows": rows,
            "regions": [{"region": r, "people": suppress(n)} for r, n in sorted(regions.items())],
            "threshold": SMALL_NUMBER,
        },
    )
