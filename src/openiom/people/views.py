from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openiom.access import selectors as access
from openiom.access.policy import has_permission, requires
from openiom.access.restricted import RevealForm, restricted_open, restricted_view
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.identity.selectors import source_records
from openiom.offending.selectors import offending_summary, timeline_for
from openiom.people import selectors
from openiom.people.forms import SearchForm
from openiom.people.models import Person


@requires("person.search")
def search(request: AuthenticatedRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    result = None
    if query:
        visible = access.people_visible_to(request.user, "person.search")
        result = selectors.person_search(query=query, within=visible)
        audit_record(
            user=request.user,
            action=AuditAction.PERSON_SEARCH,
            detail={"query": query, "results": result.total},
        )
    return render(request, "people/search.html", {"query": query, "result": result, "form": form})


def visible_person_or_refuse(
    request: AuthenticatedRequest, person_id: int, action: str = "person.view"
) -> Person:
    """The person if the user may see them; otherwise 404, or 403 saying why an agreement stops it.

    Out of scope looks the same as not existing, so error pages do not confirm who is on record.
    """
    person = selectors.person_get(person_id=person_id)
    if person is None:
        raise Http404
    if access.can_see_person(request.user, person, action):
        return person
    agreement = access.expired_agreement_blocking(request.user, person)
    if agreement is not None:
        raise PermissionDenied(
            _(
                "The information-sharing agreement “%(title)s” passed its review date on %(date)s, so sharing under it has stopped."
            )
            % {"title": agreement.title, "date": agreement.review_date.strftime("%d %B %Y")}
        )
    raise Http404


@requires("person.view")
def detail(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id)
    grants = access.person_access(request.user, person)
    restricted = restricted_view(request, person, grants)
    fields = sorted(grants.field_groups | restricted.open)
    audit_record(
        user=request.user,
        action=AuditAction.PERSON_VIEW,
        object_type="person",
        object_id=person.pk,
        fields=fields,
    )
    today = timezone.localdate()
    timeline = timeline_for(person=person) if grants.shows(access.OFFENDING) else []
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "access": grants,
            "display_name": access.pseudonym(person.pk) if grants.pseudonymised else str(person),
            "age": selectors.age_on(person.date_of_birth, today),
            "timeline": timeline,
            "summary": offending_summary(person=person, as_of=today)
            if grants.shows(access.OFFENDING)
            else None,
            "restricted": restricted,
            "victim_unlocked": restricted.victim_open,
            "victim_events": [e for e in timeline if e.event.victim_ref] if restricted.victim_open else [],
            "reveal_form": RevealForm(),
            "can_reveal_victim": access.VICTIM in grants.restricted_allowed,
            "can_break_glass": grants.emergency_allowed and access.VICTIM not in grants.restricted_allowed,
            "shared_under": access.sharing_basis(request.user, person),
            "can_see_access_log": has_permission(request.user, "person.access_log"),
            "source_records": source_records(person) if "identity" in grants.field_groups else [],
            "can_review_links": has_permission(request.user, "identity.review"),
        },
    )


@requires("person.view")
@require_POST
def reveal(request: AuthenticatedRequest, person_id: int, group: str) -> HttpResponse:
    """Open a restricted part of the record for 15 minutes, recording the stated purpose."""
    if group not in access.RESTRICTED_GROUPS:
        raise Http404
    person = visible_person_or_refuse(request, person_id)
    problem = restricted_open(request, person, group)
    if problem:
        messages.error(request, problem)
    # A page that offers the reveal form elsewhere (a partner's referral) asks to come back to it.
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("people:detail", person_id=person.pk)
