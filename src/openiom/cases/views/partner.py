"""A partner worker's view: the referrals made to their agency, what each shares, and updating one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openiom.access.policy import requires
from openiom.access.restricted import RevealForm, restricted_open, unlocked_groups
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cases import selectors, services
from openiom.cases.forms import ReferralUpdateForm
from openiom.cases.lists import label, labels, lists
from openiom.cases.models import ServiceReferral
from openiom.cases.views.editing import HEALTH, FormPage, edit_page


@requires("referral.update")
def partner_referrals(request: HttpRequest) -> HttpResponse:
    referrals = selectors.partner_referral_list(user=request.user)
    audit_record(user=request.user, action=AuditAction.REFERRAL_LIST, detail={"shown": len(referrals)})
    return render(
        request,
        "cases/partner_referrals.html",
        {
            "referrals": referrals,
            "services": labels(lists().services),
        },
    )


def _referral_or_404(request: HttpRequest, referral_id: int) -> ServiceReferral:
    referral = selectors.partner_referral_get(user=request.user, referral_id=referral_id)
    if referral is None:
        raise Http404
    return referral


@requires("referral.update")
def partner_referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral_or_404(request, referral_id)
    form = ReferralUpdateForm(
        request.POST or None,
        initial={"version": referral.version, "on": timezone.localdate()},
        current=referral.status,
    )
    shared = selectors.partner_shared_needs(referral=referral)
    health_open = bool(shared) and HEALTH in unlocked_groups(request, referral.case.person_id)

    def show(form: forms.Form) -> HttpResponse:
        audit_record(
            user=request.user,
            action=AuditAction.REFERRAL_VIEW,
            object_type="person",
            object_id=referral.case.person_id,
            fields=["identity", HEALTH] if health_open else ["identity"],
            detail={"referral": referral.pk},
        )
        return render(
            request,
            "cases/partner_referral.html",
            {
                "referral": referral,
                "form": form,
                "service": label(lists().services, referral.service),
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
def partner_reveal_health(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Open the health part the referral shares, stating why (the same flow as the case page)."""
    referral = _referral_or_404(request, referral_id)
    problem = restricted_open(request, referral.case.person, HEALTH)
    if problem:
        messages.error(request, problem)
    return redirect(reverse("cases:partner-referral", args=[referral.pk]) + "#shared")
