from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from openiom.access.policy import requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.identity import selectors
from openiom.identity.forms import DecisionForm, UnmergeForm
from openiom.identity.models import ReviewStatus
from openiom.people.selectors import person_get

# The fields shown side by side, in order, with their labels.
FIELDS = [
    ("source_system", _("Source")),
    ("source_id", _("Source record")),
    ("family_name", _("Family name")),
    ("given_names", _("Given names")),
    ("aliases", _("Aliases")),
    ("date_of_birth", _("Date of birth")),
    ("sex", _("Sex")),
    ("pnc_id", _("PNC ID")),
    ("probation_crn", _("Probation CRN")),
    ("local_police_id", _("Local police ID")),
]


@requires("identity.review")
def queue(request: AuthenticatedRequest) -> HttpResponse:
    status = request.GET.get("status", ReviewStatus.PENDING)
    if status not in ReviewStatus.values:
        status = ReviewStatus.PENDING
    candidates = list(selectors.review_queue(status=status))
    counts = selectors.review_counts()
    audit_record(
        user=request.user,
        action=AuditAction.LINK_QUEUE_VIEW,
        detail={"status": status, "shown": len(candidates)},
    )
    return render(
        request,
        "identity/queue.html",
        {
            "candidates": candidates,
            "status": status,
            "statuses": [(v, label, counts[v]) for v, label in ReviewStatus.choices],
            "run": selectors.latest_run(),
        },
    )


@requires("identity.review")
def pair(request: AuthenticatedRequest, candidate_id: int) -> HttpResponse:
    candidate = selectors.candidate_get(candidate_id=candidate_id)
    if candidate is None:
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            from openiom.identity import services  # brings pandas and linkage: on use

            services.decide(
                candidate=candidate,
                same=form.cleaned_data["decision"] == "same",
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("identity:queue")
    audit_record(
        user=request.user,
        action=AuditAction.LINK_PAIR_VIEW,
        object_type="identity_match_candidate",
        object_id=candidate.pk,
        detail={"records": [candidate.left_id, candidate.right_id]},
    )
    rows = [
        (label, getattr(candidate.left, field) or "", getattr(candidate.right, field) or "")
        for field, label in FIELDS
    ]
    return render(
        request,
        "identity/pair.html",
        {
            "candidate": candidate,
            "rows": rows,
            "form": form,
            "pending": candidate.status == ReviewStatus.PENDING,
            "percent": round(candidate.match_probability * 100, 1),
        },
        status=400 if form.errors else 200,
    )


@requires("identity.review")
def records(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    """The source records that make up a person, with a way to take one out."""
    person = person_get(person_id=person_id)
    if person is None:
        raise Http404
    form = UnmergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = person_get(person_id=int(request.POST.get("record", 0) or 0))
        if record is None or record.pk not in selectors.member_ids(person.pk):
            raise Http404
        try:
            from openiom.identity import services  # brings pandas and linkage: on use

            remaining = services.unmerge(record=record, reason=form.cleaned_data["reason"], user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The record was separated; it is a person of its own again."))
            return redirect("identity:records", person_id=remaining)
    members = selectors.source_records(person)
    audit_record(
        user=request.user,
        action=AuditAction.LINK_RECORDS_VIEW,
        object_type="person",
        object_id=person.pk,
        detail={"records": [m.pk for m in members]},
    )
    return render(
        request,
        "identity/records.html",
        {"person": members[0] if members else person, "members": members, "form": form},
        status=400 if form.errors else 200,
    )
