"""Deny by default, no leaks: every URL × every role × an in-scope and an out-of-scope object."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from openiom.access.policy import (
    ACTIONS,
    PUBLIC,
    SIGNED_IN,
    TWO_FACTOR,
    Scope,
    action_of,
    has_permission,
    scope_for,
)
from openiom.accounts.roles import Role
from tests.access.world import World, build_world
from tests.browser.pages import NOT_PAGES, PAGES, plan_item

# Routes that only accept POST answer a GET with 405 Method Not Allowed, whoever asks.
POST_ONLY = {
    "people:reveal",
    "access:alert-acknowledge",
    "accounts:sign-out",
    "cases:reveal",
    "cases:plan-requirement",
    "cases:plan-action",
    "cases:plan-action-status",
    "cases:plan-activate",
    "cases:plan-requirement-withdraw",
    "cases:partner-reveal",
    "evaluation:cancel",
    "cohorts:job-cancel",
    "cohorts:transparency-publish",
    "api:token",
    "api:referral-status",
}

# The REST API answers with problem documents (application/problem+json), never a sign-in redirect.
API = "api:"
# API routes that need a query to be a valid request (without it they answer 400 naming the parameter).
API_QUERIES = {"api:people": "?q=TESTWORTH"}


# Single sign-on answers 404 until an identity provider is configured (tests/accounts/test_single_sign_on.py).
OFF_UNLESS_CONFIGURED = {"accounts:oidc-authenticate", "accounts:oidc-callback"}


def routed() -> Iterator[tuple[str, Any, str]]:
    """(url name, view, route) for every URL pattern, walking included resolvers."""

    def walk(patterns: list[Any], namespace: str, prefix: str) -> Iterator[tuple[str, Any, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, ns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}{pattern.name}", pattern.callback, prefix + str(pattern.pattern)

    yield from walk(get_resolver().url_patterns, "", "")


def test_every_view_declares_a_known_permission() -> None:
    missing = [name for name, view, _ in routed() if action_of(view) is None]
    assert missing == [], f"views without a permission rule: {missing}"
    unknown = [
        (name, action_of(view))
        for name, view, _ in routed()
        if action_of(view) not in ACTIONS and action_of(view) not in (PUBLIC, SIGNED_IN, TWO_FACTOR)
    ]
    assert unknown == []


def test_every_page_has_an_accessibility_check() -> None:
    checked = {p.url_name for p in PAGES} | NOT_PAGES
    unchecked = sorted({name for name, _, _ in routed()} - checked)
    assert unchecked == [], f"pages with no axe check in tests/browser/pages.py: {unchecked}"


def url_for(name: str, route: str, world: World, in_scope: bool) -> str:
    """The route filled in with an in-scope or an out-of-scope object (unknown ids are out of scope)."""
    kwargs: dict[str, Any] = {}
    for key in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if key == "person_id":
            kwargs[key] = (world.in_scope if in_scope else world.out_of_scope).pk
        elif key == "alert_id":
            kwargs[key] = world.alert.pk if in_scope else 999999
        elif key == "group":
            kwargs[key] = "victim"
        elif key == "case_id":
            kwargs[key] = (world.case if in_scope else world.other_case).pk  # type: ignore[union-attr]
        elif key == "referral_id":
            kwargs[key] = (world.referral if in_scope else world.other_referral).pk  # type: ignore[union-attr]
        elif key == "run_id":
            kwargs[key] = (world.evaluation_run if in_scope else world.other_evaluation_run).pk  # type: ignore[union-attr]
        elif key == "job_id":
            # A cohort analysis is its starter's alone: another analyst's is out of scope.
            kwargs[key] = (world.cohort_job if in_scope else world.other_cohort_job).pk  # type: ignore[union-attr]
        elif key == "candidate_id":
            # Review pairs are administrators' work across the whole area: none is out of scope.
            from tests.browser.pages import _match_candidate

            kwargs[key] = _match_candidate()
        # Built-in definitions are everyone's; an unknown id stands for another scheme's own.
        elif key == "definition_id":
            kwargs[key] = "ogrs3-high" if in_scope else "no-such-definition"
        # Accounts and agreements are administered across every scheme: nothing is out of scope.
        elif key == "user_id":
            kwargs[key] = world.users[Role.POLICE_OFFICER].pk
        elif key == "agreement_id":
            kwargs[key] = world.agreement.pk
        elif key in ("requirement_id", "action_id"):
            # The out-of-scope case's URL is refused on the case before the item is looked up.
            kwargs[key] = plan_item(world, key.removesuffix("_id")) if in_scope else 999999
        elif key == "pathway":
            kwargs[key] = "accommodation"
        # Configured lists are the same for every scheme: no entry is out of anyone's scope.
        elif key == "kind":
            kwargs[key] = "service"
        # The training catalogue is the same for every scheme: no course is out of anyone's scope.
        elif key == "course_id":
            from openiom.workforce.models import Course

            kwargs[key] = Course.objects.get(code="domestic_abuse_perpetrator").pk
        elif key == "entry_id":
            from openiom.cases.models import ListEntry

            kwargs[key] = ListEntry.objects.get(kind="service", code="housing").pk
        else:
            kwargs[key] = 999999
    return reverse(name, kwargs=kwargs) + API_QUERIES.get(name, "")


def has_object(route: str) -> bool:
    return "<" in route


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: getattr(r, "value", "anonymous"))
def test_every_url_for_every_role_in_and_out_of_scope(role: Role | None) -> None:
    world = build_world()
    client = Client(raise_request_exception=True)
    user = None
    if role is not None:
        user = world.users[role]
        client.force_login(user)
        # A cohort analysis is seen by its starter only: the in-scope one is this user's own.
        from tests.access.world import _cohort_job

        world.cohort_job = _cohort_job(user)
    secret_name = world.out_of_scope.family_name.encode()
    for name, view, route in routed():
        action = action_of(view)
        for in_scope in (True, False) if has_object(route) else (True,):
            url = url_for(name, route, world, in_scope)
            response = client.get(url)
            status, where = (
                response.status_code,
                f"{name} {url} as {role} ({'in' if in_scope else 'out of'} scope)",
            )
            assert status != 500, where
            # A scope of "all" (administrators handling subject-access requests) has no out of scope.
            everything = user is not None and scope_for(user, action or "") == Scope.ALL
            if not everything:
                assert secret_name not in response.content, f"out-of-scope person leaked: {where}"
            if name in OFF_UNLESS_CONFIGURED:
                assert status == 404, where
            elif action == PUBLIC:
                assert status == 405 if name in POST_ONLY else status in (200, 302), where
            elif user is None and name.startswith(API):
                assert status == 401 and response["Content-Type"] == "application/problem+json", where
            elif user is None:
                assert status == 302 and "/sign-in" in response["Location"], where
            elif not has_permission(user, action or ""):
                assert status == 403, where
                if name.startswith(API):
                    assert response["Content-Type"] == "application/problem+json", where
                else:
                    assert b"You do not have permission" in response.content, where
            elif name in POST_ONLY:
                assert status == 405, where
            elif has_object(route) and not in_scope and not everything:
                assert status == 404, where
            else:
                assert status in (200, 302), where


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_search_never_finds_out_of_scope_people(role: Role) -> None:
    world = build_world()
    client = Client()
    client.force_login(world.users[role])
    response = client.get("/people/", {"q": "ELSEWHERE"})
    assert b"ELSEWHERE, Outof Scope" not in response.content
    if response.status_code == 200:
        assert b"No one matches your search" in response.content


@pytest.mark.django_db
def test_a_partner_sees_only_referred_people_and_granted_fields() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.users[Role.PARTNER_WORKER])
    found = client.get("/people/", {"q": "EXAMPLEPERSON"})  # in the scheme, not referred to the partner
    assert b"No one matches your search" in found.content
    page = client.get(f"/people/{world.in_scope.pk}/").content.decode()
    assert "TESTWORTH, Casey" in page
    assert "Offending timeline" not in page and "Common assault" not in page
    other = world.in_scope.__class__.objects.get(source_id="P0001")
    assert client.get(f"/people/{other.pk}/").status_code == 404


@pytest.mark.django_db
def test_an_analyst_sees_pseudonyms_not_identities() -> None:
    from openiom.access.selectors import pseudonym

    world = build_world()
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    page = client.get(f"/people/{world.in_scope.pk}/").content.decode()
    assert pseudonym(world.in_scope.pk) in page
    for secret in ("TESTWORTH", "Casey", "X100003", "1985"):
        assert secret not in page
    assert "Offending timeline" in page
    world.users[Role.ANALYST].sees_identities = True
    world.users[Role.ANALYST].save()
    assert "TESTWORTH" in client.get(f"/people/{world.in_scope.pk}/").content.decode()


@pytest.mark.django_db
def test_an_expired_agreement_stops_sharing_and_says_why() -> None:
    from datetime import timedelta

    from django.utils import timezone

    world = build_world()
    client = Client()
    client.force_login(world.users[Role.PROBATION_PRACTITIONER])
    shown = client.get(f"/people/{world.in_scope.pk}/").content.decode()
    assert "shared with you under “Example ISA”" in shown
    world.agreement.review_date = timezone.localdate() - timedelta(days=1)
    world.agreement.save()
    response = client.get(f"/people/{world.in_scope.pk}/")
    assert response.status_code == 403
    assert "“Example ISA” passed its review date" in response.content.decode()
    assert client.get("/people/", {"q": "TESTWORTH"}).content.count(b"TESTWORTH, Casey") == 0


@pytest.mark.django_db
def test_national_viewers_see_suppressed_counts_never_people() -> None:
    world = build_world()
    client = Client()
    client.force_login(world.users[Role.NATIONAL_VIEWER])
    page = client.get("/access/national").content.decode()
    assert "Example IOM" in page and "fewer than 5" in page
    assert "TESTWORTH" not in page
    assert client.get(f"/people/{world.in_scope.pk}/").status_code == 403
    assert client.get("/people/", {"q": "TESTWORTH"}).status_code == 403


def test_a_view_without_a_rule_is_refused(rf: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from openiom.access.middleware import PermissionMiddleware

    def undeclared(request: Any) -> None:  # pragma: no cover - never called
        raise AssertionError

    middleware = PermissionMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(PermissionDenied):
        middleware.process_view(rf.get("/"), undeclared, (), {})


@pytest.mark.django_db
def test_a_refusal_is_audited() -> None:
    from openiom.audit.models import AuditEvent

    world = build_world()
    client = Client()
    client.force_login(world.users[Role.POLICE_OFFICER])
    assert client.get("/cohorts/").status_code == 403
    refusal = AuditEvent.objects.get(
        username=world.users[Role.POLICE_OFFICER].username, action="permission.denied"
    )
    assert refusal.detail == {"via": "web", "path": "/cohorts/", "action": "cohort.analyse"}
