from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openiom.access.policy import requires
from openiom.audit.services import audit_record
from openiom.offending.selectors import offending_summary, timeline_for
from openiom.people import selectors

PERSON_PAGE_FIELDS = ("identifiers", "names", "date_of_birth", "sex", "ethnicity", "offending_history")


@requires("person.search")
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    result = selectors.person_search(query=query) if query else None
    if query:
        audit_record(
            user=request.user,
            action="person.search",
            detail={"query": query, "results": result.total if result else 0},
        )
    return render(request, "people/search.html", {"query": query, "result": result})


@requires("person.view")
def detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get(person_id=person_id)
    if person is None:
        raise Http404
    audit_record(
        user=request.user,
        action="person.view",
        object_type="person",
        object_id=person.pk,
        fields=PERSON_PAGE_FIELDS,
    )
    today = timezone.localdate()
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "age": selectors.age_on(person.date_of_birth, today),
            "timeline": timeline_for(person=person),
            "summary": offending_summary(person=person, as_of=today),
        },
    )
