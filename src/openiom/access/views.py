from __future__ import annotations

from datetime import timedelta
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


@requires("national.view")
def national(request: AuthenticatedRequest) -> HttpResponse:
    """Counts by scheme and region, never a person; every figure goes through disclosure control."""
    from openiom.returns.disclosure import Relation, Shown, load_config, protect
    from openiom.workforce.selectors import override_counts

    config = load_config()
    schemes = selectors.people_per_scheme()
    now = timezone.now()
    overrides = override_counts([s.scheme_id for s in schemes], now - timedelta(days=365), now)

    def protected(counts: list[int]) -> tuple[list[str | int], dict[str, str | int]]:
        """Each scheme's count and each region's total, as the page may show them."""
        values: dict[str, int] = {}
        members: dict[str, list[str]] = {}
        for index, (s, count) in enumerate(zip(schemes, counts, strict=True)):
            values[f"scheme:{index}"] = count
            members.setdefault(f"region:{s.region}", []).append(f"scheme:{index}")
        for region, parts in members.items():
            values[region] = sum(values[p] for p in parts)
        shown = protect(values, [Relation(r, tuple(p)) for r, p in members.items()], config)

        def display(key: str) -> str | int:
            if shown[key] is Shown.SMALL:
                return _("fewer than %(n)s") % {"n": config.suppress_below}
            if shown[key] is Shown.WITHHELD:
                return _("withheld")
            return values[key]

        return [display(f"scheme:{i}") for i in range(len(schemes))], {
            r.removeprefix("region:"): display(r) for r in members
        }

    people, people_regions = protected([s.people for s in schemes])
    allocations, allocation_regions = protected([overrides.get(s.scheme_id, 0) for s in schemes])
    rows = [
        {"scheme": s.scheme, "region": s.region, "people": people[i], "overrides": allocations[i]}
        for i, s in enumerate(schemes)
    ]
    audit_record(user=request.user, action=AuditAction.NATIONAL_VIEW)
    return render(
        request,
        "access/national.html",
        {
            "rows": rows,
            "regions": [
                {"region": r, "people": people_regions[r], "overrides": allocation_regions[r]}
                for r in sorted({s.region for s in schemes})
            ],
            "threshold": config.suppress_below,
        },
    )
