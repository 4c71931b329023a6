"""Every page of the web application, for the accessibility sweep.

Each entry: URL name, the role that can see it, and a function building its URL kwargs from the
demo-like data the sweep creates. tests/access/test_urls.py fails if a routed HTML page is missing
from this list, so a new page cannot ship without an axe check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openiom.accounts.roles import Role


@dataclass(frozen=True)
class Page:
    url_name: str
    role: Role | None  # None: visited signed out
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda data: {})
    query: str = ""


def _housing_entry() -> int:
    from openiom.cases.models import ListEntry

    return ListEntry.objects.get(kind="service", code="housing").pk


def plan_item(world: Any, kind: str) -> int:
    """A requirement or an action on the world case's plan, made the first time it is asked for."""
    from openiom.cases.models import Plan

    plan = Plan.objects.get(case=world.case)
    due = world.case.start_date
    if kind == "requirement":
        item = plan.requirements.first() or plan.requirements.create(
            text="Attend weekly sessions at the recovery hub", how_checked="The hub confirms", due_date=due
        )
    else:
        item = plan.actions.first() or plan.actions.create(
            text="Weekly supervision", owner_agency=world.probation, due_date=due
        )
    return int(item.pk)


PAGES: list[Page] = [
    Page("accounts:sign-in", None),
    Page("web:accessibility", None),
    Page("web:privacy", None),
    Page("web:home", Role.ANALYST),
    Page("people:search", Role.POLICE_OFFICER),
    Page("people:search", Role.POLICE_OFFICER, query="q=TESTWORTH"),
    Page("people:search", Role.POLICE_OFFICER, query="q=nobody-matches-this"),
    Page("people:detail", Role.PROBATION_PRACTITIONER, lambda world: {"person_id": world.in_scope.pk}),
    Page("people:detail", Role.PARTNER_WORKER, lambda world: {"person_id": world.in_scope.pk}),
    Page("people:detail", Role.ANALYST, lambda world: {"person_id": world.in_scope.pk}),
    Page("people:detail", Role.POLICE_OFFICER, lambda world: {"person_id": world.in_scope.pk}),
    Page("audit:access-log", Role.COORDINATOR, lambda world: {"person_id": world.in_scope.pk}),
    Page("access:agreements", Role.COORDINATOR),
    Page("access:alerts", Role.COORDINATOR),
    Page("access:national", Role.NATIONAL_VIEWER),
    Page("reference:index", Role.ADMINISTRATOR),
    Page("cohorts:index", Role.ANALYST),
    Page("cohorts:index", Role.ANALYST, query="as_of=2025-10-01"),
    Page("evaluation:index", Role.ANALYST),
    Page("evaluation:status", Role.ANALYST, lambda world: {"run_id": world.evaluation_run.pk}),
    Page("accounts:two-factor", Role.COORDINATOR),
    Page("cases:caseload", Role.PROBATION_PRACTITIONER),
    Page("cases:caseload", Role.POLICE_OFFICER, query="mine=1&attention=1&sort=risk"),
    Page("cases:panel", Role.COORDINATOR),
    Page("cases:panel-person", Role.COORDINATOR, lambda world: {"person_id": world.in_scope.pk}),
    Page("cases:panel-refer", Role.POLICE_OFFICER, lambda world: {"person_id": world.in_scope.pk}),
    Page("cases:panel-decide", Role.COORDINATOR, lambda world: {"person_id": world.in_scope.pk}),
    Page("cases:detail", Role.PROBATION_PRACTITIONER, lambda world: {"case_id": world.case.pk}),
    Page("cases:detail", Role.POLICE_OFFICER, lambda world: {"case_id": world.case.pk}),
    Page("cases:risk", Role.POLICE_OFFICER, lambda world: {"case_id": world.case.pk}),
    Page(
        "cases:need",
        Role.PROBATION_PRACTITIONER,
        lambda world: {"case_id": world.case.pk, "pathway": "accommodation"},
    ),
    Page("cases:plan", Role.PROBATION_PRACTITIONER, lambda world: {"case_id": world.case.pk}),
    Page(
        "cases:plan-requirement-edit",
        Role.PROBATION_PRACTITIONER,
        lambda world: {"case_id": world.case.pk, "requirement_id": plan_item(world, "requirement")},
    ),
    Page(
        "cases:plan-action-edit",
        Role.PROBATION_PRACTITIONER,
        lambda world: {"case_id": world.case.pk, "action_id": plan_item(world, "action")},
    ),
    Page("cases:reopen", Role.COORDINATOR, lambda world: {"case_id": world.case.pk}),
    Page("cases:referral-new", Role.PROBATION_PRACTITIONER, lambda world: {"case_id": world.case.pk}),
    Page("cases:contact-new", Role.POLICE_OFFICER, lambda world: {"case_id": world.case.pk}),
    Page("cases:review", Role.PROBATION_PRACTITIONER, lambda world: {"case_id": world.case.pk}),
    Page("cases:transfer", Role.COORDINATOR, lambda world: {"case_id": world.case.pk}),
    Page("cases:exit", Role.COORDINATOR, lambda world: {"case_id": world.case.pk}),
    Page("cases:partner-referrals", Role.PARTNER_WORKER),
    Page("cases:lists", Role.ADMINISTRATOR),
    Page("cases:list-entry-new", Role.ADMINISTRATOR, lambda world: {"kind": "service"}),
    Page("cases:list-entry-new", Role.ADMINISTRATOR, lambda world: {"kind": "contact_type"}),
    Page("cases:list-entry", Role.ADMINISTRATOR, lambda world: {"entry_id": _housing_entry()}),
    Page("cases:partner-referral", Role.PARTNER_WORKER, lambda world: {"referral_id": world.referral.pk}),
]

# Routed URLs that are not HTML pages (JSON, CSV, form targets that redirect), or are covered by a
# dedicated browser test.
NOT_PAGES = {
    "web:health",
    # Redirects to and from the identity provider; the sign-in page with single sign-on on is
    # checked in tests/browser/test_single_sign_on.py.
    "accounts:oidc-authenticate",
    "accounts:oidc-callback",
    "accounts:sign-out",
    "audit:access-log-csv",
    "people:reveal",
    "access:alert-acknowledge",
    # Report downloads (files, not pages); the finished-results page is in tests/browser/test_evaluation.py.
    "evaluation:report-html",
    "evaluation:report-pdf",
    "evaluation:results-json",
    "cases:reveal",
    "cases:plan-requirement",
    "cases:plan-action",
    "cases:plan-action-status",
    "cases:plan-activate",
    "cases:plan-requirement-withdraw",
    "cases:partner-reveal",
    # A button on the status page, which is checked while a run is in progress.
    "evaluation:cancel",
}
