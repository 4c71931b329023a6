"""A partner worker's view: the referrals made to their agency, and updating one."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openiom.access.policy import requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cases import selectors, services
from openiom.cases.forms import ReferralUpdateForm
from openiom.cases.lists import label, labels, lists
from openiom.cases.views.editing import FormPage, edit_page


@requires("referral.update")
def partner_referrals(request: AuthenticatedRequest) -> HttpResponse:
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


@requires("referral.update")
def partner_referral(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    referral = selectors.partner_referral_get(user=request.user, referral_id=referral_id)
    if referral is None:
        raise Http404
    form = ReferralUpdateForm(
        request.POST or None, initial={"version": referral.version, "on": timezone.localdate()}
    )

    def show(form: forms.Form) -> HttpResponse:
        audit_record(
            user=request.user,
            action=AuditAction.REFERRAL_VIEW,
            object_type="person",
            object_id=referral.case.person_id,
            fields=["identity"],
            detail={"referral": referral.pk},
        )
        return render(
            request,
            "cases/partner_referral.html",
            {"referral": referral, "form": form, "service": label(lists().services, referral.service)},
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
        ),
        done=_("Referral updated."),
        saved_version=lambda current: [
            (_("Status"), current.get_status_display()),
            (_("Reason"), current.outcome_reason or "–"),
        ],
        show=show,
    )
