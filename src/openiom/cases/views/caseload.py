"""The caseload: the cases of the user's schemes, filtered, sorted and paged."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from openiom.access.policy import requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cases import selectors
from openiom.cases.lists import choices, lists
from openiom.cases.presenters import caseload_rows


@requires("caseload.view")
def caseload(request: AuthenticatedRequest) -> HttpResponse:
    mine = request.GET.get("mine") == "1"
    stream = request.GET.get("stream", "")
    attention_only = request.GET.get("attention") == "1"
    sort = request.GET.get("sort", "attention")
    if sort not in selectors.CASELOAD_SORTS:
        sort = "attention"
    entries = selectors.caseload(
        user=request.user, mine=mine, stream=stream, attention_only=attention_only, sort=sort
    )
    page = Paginator(entries, selectors.CASELOAD_PAGE).get_page(request.GET.get("page"))
    rows = caseload_rows(list(page.object_list))
    audit_record(
        user=request.user, action=AuditAction.CASELOAD_VIEW, detail={"page": page.number, "shown": len(rows)}
    )
    query = request.GET.copy()
    query.pop("sort", None)
    query.pop("page", None)
    return render(
        request,
        "cases/caseload.html",
        {
            "page": page,
            "rows": rows,
            "mine": mine,
            "stream": stream,
            "attention_only": attention_only,
            "sort": sort,
            "streams": choices(lists().streams),
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "lapsed": selectors.lapsed_agreements(user=request.user),
            "sorts": [
                ("attention", _("Needs attention")),
                ("name", _("Name")),
                ("risk", _("Risk")),
                ("review", _("Next review")),
            ],
        },
    )
