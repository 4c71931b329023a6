"""Deny by default: every routed view declares a permission rule, and no role ever meets a 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from openiom.access.policy import PUBLIC, ROLE_ACTIONS, SIGNED_IN, TWO_FACTOR, action_of
from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from tests.browser.pages import NOT_PAGES, PAGES


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
        if action_of(view) not in ROLE_ACTIONS and action_of(view) not in (PUBLIC, SIGNED_IN, TWO_FACTOR)
    ]
    assert unknown == []


def test_every_page_has_an_accessibility_check() -> None:
    checked = {p.url_name for p in PAGES} | NOT_PAGES
    unchecked = sorted({name for name, _, _ in routed()} - checked)
    assert unchecked == [], f"pages with no axe check in tests/browser/pages.py: {unchecked}"


def sample_url(name: str, route: str) -> str:
    """A URL for the route with made-up arguments (objects that do not exist: must be 404, not 500)."""
    kwargs = {k: 999999 for k in re.findall(r"<(?:int:)?(\w+)>", route)}
    return reverse(name, kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: getattr(r, "value", "anonymous"))
def test_every_url_answers_every_role_without_error(role: Role | None) -> None:
    client = Client(raise_request_exception=True)
    if role is not None:
        client.force_login(
            user_create(username=f"u.{role.value}", password="a long test password", role=role)
        )
    for name, view, route in routed():
        if name == "accounts:sign-out":
            continue
        action = action_of(view)
        response = client.get(sample_url(name, route))
        if action == PUBLIC:
            assert response.status_code in (200, 302), (name, response.status_code)
        elif role is None:
            assert response.status_code == 302 and "/sign-in" in response["Location"], name
        elif action in (SIGNED_IN, TWO_FACTOR) or role in ROLE_ACTIONS[action]:
            assert response.status_code in (200, 302, 404), (name, role, response.status_code)
        else:
            assert response.status_code == 403, (name, role, response.status_code)
            assert b"You do not have permission" in response.content


def test_a_view_without_a_rule_is_refused(rf: Any, settings: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from openiom.access.middleware import PermissionMiddleware

    def undeclared(request: Any) -> None:  # pragma: no cover - never called
        raise AssertionError

    middleware = PermissionMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(PermissionDenied):
        middleware.process_view(rf.get("/"), undeclared, (), {})
