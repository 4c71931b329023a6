"""Every page, as the role that uses it, passes axe-core at WCAG 2.2 AA."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.access.world import World, build_world
from tests.browser.conftest import assert_accessible, sign_in_with_session
from tests.browser.pages import PAGES, Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.mark.parametrize(
    "spec",
    PAGES,
    ids=lambda p: f"{p.url_name}-{getattr(p.role, 'value', 'anonymous')}{'?' + p.query if p.query else ''}",
)
def test_page_is_accessible(spec: Page, page: Any, world: World, live_server: Any) -> None:
    if spec.role is not None:
        sign_in_with_session(page, world.users[spec.role], live_server.url)
    url = reverse(spec.url_name, kwargs=spec.kwargs(world)) + (f"?{spec.query}" if spec.query else "")
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    assert page.title().endswith("OpenIOM")
    assert_accessible(page)


def test_error_pages_use_the_service_design(page: Any, sign_in: Any) -> None:
    from openiom.accounts.roles import Role

    sign_in(Role.NATIONAL_VIEWER)
    response = page.goto("/no-such-page")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert_accessible(page)
    response = page.goto("/people/")
    assert response.status == 403
    assert page.get_by_role("heading", name="You do not have permission to see this page").is_visible()
    assert_accessible(page)


def test_sign_in_errors_are_accessible(page: Any, db: Any) -> None:
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)
