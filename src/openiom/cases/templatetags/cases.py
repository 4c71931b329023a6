"""`{% case_links person %}`: on the person page, the way to the person's IOM case or the panel."""

from __future__ import annotations

from typing import Any

from django import template

from openiom.access.policy import has_permission
from openiom.cases.selectors import cases_visible_to

register = template.Library()


@register.inclusion_tag("cases/case_links.html", takes_context=True)
def case_links(context: dict[str, Any], person: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_permission(user, "panel.view"):
        return {"show": False}
    case = cases_visible_to(user, "case.view").filter(person=person).only("pk", "status").first()
    return {
        "show": True,
        "person": person,
        "case": case,
        "can_refer": has_permission(user, "panel.refer") and (case is None or case.status != "active"),
    }


@register.filter
def label_of(labels: dict[str, str], code: str) -> str:
    """`{{ labels|label_of:code }}`: a configured list entry's label by its code (the code if unknown)."""
    return labels.get(code, code)
