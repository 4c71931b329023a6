"""A partner worker's view: the referrals made to their agency, what each shares, and updating one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openiom.access.policy import requires
from openiom.access.restricted import PLACEHOLDER, RevealForm, restricted_open, restricted_view
from openiom.access.selectors import HEALTH
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cases import selectors, services
from openiom.cases.forms import ReferralUpdateForm
from openiom.cases.lists import labels, lists
from openiom.cases.models import RESTRICTED_PATHWAYS, ServiceReferral
from openiom.cases.views.editing import FormPage, edit_page

RESTRICTED_SERVICE = gettext_lazy("Restricted service")


def _service_shown(request: AuthenticatedRequest, referral: ServiceReferral, services: dict[str, str]) -> str:
    """The referral's service, or, for a health referral not open to the user, a placeholder or a
    neutral word: the service alone says the person has a health or substance-misuse need."""
    restricted = restricted_view(request, referral.case.person)
    if restricted.pathway_shown(referral.pathway):
        return services.get(referral.service, referral.service)
    return str(PLACEHOLDER if restricted.placeholder(HEALTH) else RESTRICTED_SERVICE)


@requires("referral.update")
def partner_referrals(request: AuthenticatedRequest) -> HttpResponse:
    referrals = selectors.partner_referral_list(user=request.user)
    audit_record(user=request.user, action=AuditAction.REFERRAL_LIST, detail={"shown": len(referrals)})
    services = labels(lists().services)
    return render(
        request,
        "cases/partner_referrals.html",
        {"rows": [(r, _service_shown(request, r, services)) for r in referrals]},
    )


def _referral_or_404(request: AuthenticatedRequest, referral_id: int) -> ServiceReferral:
    referral = selectors.partner_referral_get(user=request.user, referral_id=referral_id)
    if referral is None:
        raise Http404
    return referral


@requires("referral.update")
def partner_referral(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    referral = _referral_or_404(request, referral_id)
    form = ReferralUpdateForm(
        request.POST or None,
        initial={"version": referral.version, "on": timezone.localdate()},
        current=referral.status,
    )
    shared = selectors.partner_shared_needs(referral=referral)

    def show(form: forms.Form) -> HttpResponse:
        restricted = restricted_view(request, referral.case.person)
        health_open = bool(shared) and restricted.health_open
        shown = restricted.pathway_shown(referral.pathway)
        health = referral.pathway in RESTRICTED_PATHWAYS and shown
        audit_record(
            user=request.user,
            action=AuditAction.REFERRAL_VIEW,
            object_type="person",
            object_id=referral.case.person_id,
            fields=["identity", *([HEALTH] if health or (health_open and shared) else [])],
            detail={"referral": referral.pk},
        )
        return render(
            request,
            "cases/partner_referral.html",
            {
                "referral": referral,
                "form": form,
                "service": _service_shown(request, referral, labels(lists().services)),
                "reason_shown": shown,
                "restricted": restricted,
                "restricted_placeholder": restricted.placeholder(HEALTH),
                "placeholder": PLACEHOLDER,
                "shares_health": bool(referral.grant and HEALTH in referral.grant.field_groups),
                "shared_needs": shared if health_open else [],
                "health_open": health_open,
                "reveal_form": RevealForm(),
            },
        )

    return edit_page(
        request,
        form,
        page=FormPage(
            title="", button="", caption=str(referral.case.person), back=reverse("cases:partner-referrals")
        ),
        save=lambda d: services.referral_update(
            user=request.user,
            referral=referral,
            version=d["version"],
            status=d["status"],
            on=d["on"],
            reason=d["reason"],
            outcome=d["outcome"],
        ),
        done=_("Referral updated."),
        saved_version=lambda current: [
            (_("Status"), current.get_status_display()),
            (_("Outcome"), current.get_outcome_display() or "–"),
            (_("Reason"), current.outcome_reason or "–"),
        ],
        show=show,
    )


@requires("referral.update")
@require_POST
def partner_reveal_health(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    """Open the health part the referral shares, stating why (the same flow as the case page)."""
    referral = _referral_or_404(request, referral_id)
    problem = restricted_open(request, referral.case.person, HEALTH)
    if problem:
        messages.error(request, problem)
    return redirect(reverse("cases:partner-referral", args=[referral.pk]) + "#shared")
