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


def _course() -> int:
    from openiom.workforce.models import Course

    return Course.objects.get(code="domestic_abuse_perpetrator").pk


def _match_candidate() -> int:
    """A pair waiting for review, made from the in-scope person and a probation record like them."""
    from openiom.identity.models import MatchCandidate
    from openiom.people.models import Person

    existing = MatchCandidate.objects.first()
    if existing is not None:
        return existing.pk
    person = Person.objects.order_by("id").first()
    assert person is not None
    other = Person.objects.create(
        source_system="PROBATION-SWEEP",
        source_id="PR-SWEEP-1",
        family_name=person.family_name,
        given_names=person.given_names,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
    )
    return MatchCandidate.objects.create(
        left=person,
        right=other,
        match_probability=0.8,
        evidence=[{"comparison": "surname", "level": "Same family name", "weight": 4.1}],
        why="Probability between the thresholds",
    ).pk


def _performance_report(world: Any) -> int:
    from openiom.evaluation.models import EvaluationRun, RunStatus

    return EvaluationRun.objects.create(
        created_by=world.users[Role.COORDINATOR],
        scheme=world.scheme,
        title="Performance report S1 2026Q3",
        config={"job": "performance_report", "scheme_id": world.scheme.pk, "quarter": "2026Q3", "months": 12},
        status=RunStatus.RUNNING,
        step=2,
        step_count=5,
        step_text="case-quality indicators",
        progress=20,
    ).pk


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
    Page("access:admin-users", Role.ADMINISTRATOR),
    Page("access:admin-user-create", Role.ADMINISTRATOR),
    Page(
        "access:admin-user-edit",
        Role.ADMINISTRATOR,
        lambda world: {"user_id": world.users[Role.POLICE_OFFICER].pk},
    ),
    Page(
        "access:admin-user-2fa",
        Role.ADMINISTRATOR,
        lambda world: {"user_id": world.users[Role.POLICE_OFFICER].pk},
    ),
    Page("access:admin-agencies", Role.ADMINISTRATOR),
    Page("access:admin-agency-create", Role.ADMINISTRATOR),
    Page("access:admin-schemes", Role.ADMINISTRATOR),
    Page("access:admin-scheme-create", Role.ADMINISTRATOR),
    Page("access:admin-agreements", Role.ADMINISTRATOR),
    Page("access:admin-agreement-create", Role.ADMINISTRATOR),
    Page(
        "access:admin-agreement-renew", Role.ADMINISTRATOR, lambda world: {"agreement_id": world.agreement.pk}
    ),
    Page(
        "access:admin-agreement-end", Role.ADMINISTRATOR, lambda world: {"agreement_id": world.agreement.pk}
    ),
    Page("reference:index", Role.ADMINISTRATOR),
    Page("cohorts:index", Role.ANALYST),
    Page("cohorts:index", Role.ANALYST, query="as_of=2025-10-01"),
    Page("cohorts:job", Role.ANALYST, lambda world: {"job_id": world.cohort_job.pk}),
    Page("cohorts:definitions", Role.ANALYST),
    Page("cohorts:definition", Role.ANALYST, lambda world: {"definition_id": "top-10-percent-offences"}),
    Page("cohorts:definition-copy", Role.ANALYST, lambda world: {"definition_id": "ogrs3-high"}),
    Page("cohorts:transparency", Role.COORDINATOR, lambda world: {"definition_id": "ogrs3-high"}),
    Page("cohorts:transparency-edit", Role.COORDINATOR, lambda world: {"definition_id": "ogrs3-high"}),
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
    Page("identity:queue", Role.ADMINISTRATOR),
    Page("identity:pair", Role.ADMINISTRATOR, lambda world: {"candidate_id": _match_candidate()}),
    Page("identity:records", Role.ADMINISTRATOR, lambda world: {"person_id": world.in_scope.pk}),
    Page("performance:dashboard", Role.COORDINATOR),
    Page("performance:dashboard", Role.ANALYST, query="months=6"),
    Page("performance:quality", Role.COORDINATOR, query="indicator=plan_requirements"),
    Page("performance:quality", Role.ANALYST, query="indicator=substance_referral"),
    Page("performance:report", Role.COORDINATOR, lambda world: {"run_id": _performance_report(world)}),
    Page("workforce:index", Role.COORDINATOR),
    Page("workforce:record-new", Role.COORDINATOR),
    Page("workforce:mine", Role.POLICE_OFFICER),
    Page("workforce:lanes", Role.COORDINATOR),
    Page("workforce:courses", Role.ADMINISTRATOR),
    Page("workforce:course-new", Role.ADMINISTRATOR),
    Page("workforce:course", Role.ADMINISTRATOR, lambda world: {"course_id": _course()}),
]

# Routed URLs that are not HTML pages (JSON, CSV, form targets that redirect), or are covered by a
# dedicated browser test.
NOT_PAGES = {
    "web:health",
    # The REST API: JSON, not pages (tests/api/). Its documentation page is Swagger UI, drawn by the
    # installed drf-spectacular-sidecar from the schema; tests/api/test_api.py checks it is served.
    "api:token",
    "api:schema",
    "api:docs",
    "api:people",
    "api:person",
    "api:reference-datasets",
    "api:referrals",
    "api:referral",
    "api:referral-status",
    # Redirects to and from the identity provider; the sign-in page with single sign-on on is
    # checked in tests/browser/test_single_sign_on.py.
    "accounts:oidc-authenticate",
    "accounts:oidc-callback",
    "accounts:sign-out",
    "audit:access-log-csv",
    "audit:subject-access",
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
    "cohorts:job-cancel",
    # The CSV of a finished analysis (a file; the results page is in tests/browser/test_cohorts_page.py).
    "cohorts:job-csv",
    # Downloads; the finished report page and the dashboard with figures are in tests/browser/test_performance.py.
    "performance:figures-csv",
    "performance:report-html",
    "performance:report-pdf",
    "performance:report-csv",
    # The copy page's template for a scheme's own definition (a built-in's redirects to its copy
    # page); tests/browser/test_definitions_journey.py checks the pages of a saved definition.
    "cohorts:definition-edit",
    # The coverage table as CSV (a file; the page with the same table is checked above).
    "workforce:coverage-csv",
    # The record as a JSON download, and the publish button on the record's page.
    "cohorts:transparency-json",
    "cohorts:transparency-publish",
}
