from django.http import HttpResponse
from django.shortcuts import render

from openiom.access.policy import requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.reference import selectors


@requires("reference.view")
def index(request: AuthenticatedRequest) -> HttpResponse:
    active = selectors.dataset_active()
    context: dict[str, object] = {"datasets": list(selectors.dataset_list()), "active": active}
    if active is not None:
        context |= {
            "offences": list(selectors.offences_for(active)),
            "categories": list(selectors.categories_for(active)),
            "unit_costs": list(selectors.unit_costs_for(active)),
        }
    return render(request, "reference/index.html", context)
