"""The work recorded on an open case: service referrals, contacts, reviews, transfer and exit."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openiom.access.policy import requires
from openiom.access.selectors import user_schemes
from openiom.accounts.types import AuthenticatedRequest
from openiom.cases import selectors, services
from openiom.cases.forms import (
    ContactForm,
    ExitForm,
    ReopenForm,
    ReviewForm,
    ServiceReferralForm,
    TransferForm,
)
from openiom.cases.models import Case
from openiom.cases.presenters import form_fields
from openiom.cases.views.editing import FormPage, case_or_404, edit_page
from openiom.workforce.selectors import case_required_courses


@requires("case.edit")
def referral_new(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id, "case.edit")
    form = ServiceReferralForm(request.POST or None, scheme=case.scheme)
    back = reverse("cases:detail", args=[case.pk])
    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("Refer to a service"),
            caption=str(case.person),
            case=case,
            button=_("Send referral"),
            back=back,
            intro=_(
                "The partner agency will see only what the service needs, and only while the referral is open."
            ),
        ),
        save=lambda d: services.referral_send(
            user=request.user, case=case, service=d["service"], agency=d["agency"], reason=d["reason"]
        ),
        done=_("Referral sent."),
        next_url=back + "#referrals",
    )


@requires("case.edit")
def contact_new(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id, "case.edit")
    form = ContactForm(request.POST or None, scheme=case.scheme, initial={"agency": request.user.agency_id})
    back = reverse("cases:detail", args=[case.pk])
    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("Record a contact or appointment"),
            caption=str(case.person),
            case=case,
            button=_("Save contact"),
            back=back,
        ),
        save=lambda d: services.contact_record(
            user=request.user,
            case=case,
            contact_type=d["contact_type"],
            agency=d["agency"],
            on=d["on"],
            outcome=d["outcome"],
            notes=d["notes"],
        ),
        done=_("Contact recorded."),
        next_url=back + "#contacts",
    )


def review_saved(case: Case) -> list[tuple[Any, Any]]:
    """The review someone else saved first, as the conflict page shows it."""
    latest = selectors.review_latest(case=case)
    if latest is None:
        return [(_("Case last saved"), selectors.case_updated_at(case=case))]
    return [
        (_("What did the review find?"), latest.notes),
        (_("Recorded on"), latest.completed_on),
        (_("Next review due"), selectors.review_next_due(case=case) or "–"),
    ]


@requires("case.edit")
def review(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id, "case.edit")
    form = ReviewForm(request.POST or None, initial={"version": case.version})
    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("Record a case review"),
            caption=str(case.person),
            case=case,
            button=_("Save review"),
            back=reverse("cases:detail", args=[case.pk]),
        ),
        save=lambda d: services.review_complete(
            user=request.user, case=case, version=d["version"], notes=d["notes"], next_due=d["next_due"]
        ),
        done=_("Review recorded."),
        saved_version=lambda current: review_saved(case),
    )


@requires("case.edit")
def transfer(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id, "case.edit")
    initial = {
        "version": case.version,
        "scheme": case.scheme_id,
        "police_worker": case.police_worker_id,
        "probation_worker": case.probation_worker_id,
    }
    form = TransferForm(
        request.POST or None,
        initial=initial,
        schemes=user_schemes(request.user),
        needed=case_required_courses(case),
    )
    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("Transfer the case"),
            caption=str(case.person),
            case=case,
            button=_("Transfer"),
            back=reverse("cases:detail", args=[case.pk]),
        ),
        save=lambda d: services.case_transfer(
            user=request.user,
            case=case,
            version=d["version"],
            scheme=d["scheme"],
            police_worker=d["police_worker"],
            probation_worker=d["probation_worker"],
            reason=d["reason"],
            training_override=d["training_override"],
        ),
        done=_("Case transferred."),
        saved_version=lambda current: form_fields(
            form, current, ["scheme", "police_worker", "probation_worker"]
        ),
    )


@requires("panel.decide")
def exit_case(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id, "panel.decide")
    form = ExitForm(request.POST or None, initial={"version": case.version, "on": timezone.localdate()})
    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("De-select and close the case"),
            caption=str(case.person),
            case=case,
            button=_("De-select"),
            back=reverse("cases:detail", args=[case.pk]),
        ),
        save=lambda d: services.case_exit(
            user=request.user, case=case, version=d["version"], reason=d["reason"], on=d["on"]
        ),
        done=_("The person has been de-selected and the case closed."),
        saved_version=lambda current: [
            (_("Status"), current.get_status_display()),
            (_("Exit reason"), current.exit_reason or "–"),
        ],
    )


@requires("panel.decide")
def reopen_case(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """A coordinator reopens an exited or declined case, giving the reason."""
    case = case_or_404(request, case_id, "panel.decide")
    form = ReopenForm(request.POST or None, initial={"version": case.version})
    return edit_page(
        request,
        form,
        page=FormPage(
            title=_("Reopen the case"),
            caption=str(case.person),
            case=case,
            button=_("Reopen"),
            back=reverse("cases:detail", args=[case.pk]),
            intro=_(
                "An exited case is managed again; a declined one goes back to the selection panel. "
                "Until it is reopened, a closed case cannot be changed."
            ),
        ),
        save=lambda d: services.case_reopen(
            user=request.user, case=case, version=d["version"], reason=d["reason"]
        ),
        done=_("The case has been reopened."),
        saved_version=lambda current: [(_("Status"), current.get_status_display())],
    )
