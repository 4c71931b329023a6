"""The service navigation: each capability's entry, shown only to roles allowed its action."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from openiom.access.policy import has_permission


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    text: str | Promise
    action: str


ENTRIES: list[NavEntry] = [
    NavEntry("people:search", _("People"), "person.search"),
    NavEntry("cases:caseload", _("Caseload"), "caseload.view"),
    NavEntry("cases:panel", _("Selection panel"), "panel.view"),
    NavEntry("cases:partner-referrals", _("Referrals"), "referral.update"),
    NavEntry("cohorts:index", _("Cohorts"), "cohort.analyse"),
    NavEntry("evaluation:index", _("Evaluation"), "evaluation.run"),
    NavEntry("performance:dashboard", _("Performance"), "performance.view"),
    NavEntry("workforce:index", _("Workforce"), "workforce.view"),
    NavEntry("workforce:mine", _("My training"), "training.own"),
    NavEntry("access:national", _("National overview"), "national.view"),
    NavEntry("access:alerts", _("Alerts"), "alerts.view"),
    NavEntry("access:agreements", _("Sharing agreements"), "agreements.view"),
    NavEntry("reference:index", _("Reference data"), "reference.view"),
    NavEntry("cases:lists", _("Case lists"), "lists.manage"),
    NavEntry("workforce:courses", _("Training catalogue"), "courses.manage"),
    NavEntry("access:admin-users", _("Administration"), "users.manage"),
]


def navigation_for(request: HttpRequest) -> list[dict[str, object]]:
    user = getattr(request, "user", None)
    items: list[dict[str, object]] = []
    for entry in ENTRIES:
        if not has_permission(user, entry.action):
            continue
        try:
            href = reverse(entry.url_name)
        except NoReverseMatch:
            # A capability whose pages are not installed yet has no entry.
            continue
        items.append({"href": href, "text": entry.text, "current": False})
    # The deepest matching entry is the current one: /cases/panel/ is the panel, not the caseload.
    matching = [item for item in items if request.path.startswith(str(item["href"]))]
    if matching:
        max(matching, key=lambda item: len(str(item["href"])))["current"] = True
    return items
