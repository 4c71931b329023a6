"""Real Chromium (Debian's) driven by Playwright, with an axe-core check helper.

No browser is downloaded: Playwright launches /usr/bin/chromium. CI installs it; on a developer
machine without it these tests skip (and fail in CI through OPENIOM_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from tests.conftest import service_unavailable

# Playwright's sync API runs an event loop in this thread; Django must be told that is fine here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        service_unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    if not AXE.exists():
        service_unavailable(f"{AXE} is missing (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    # bypass_csp lets the test inject axe-core; test_csp.py checks the real policy separately.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page: Any) -> None:
    """Run axe-core on the current page; any WCAG 2.2 A/AA violation fails the test."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert violations == [], f"axe found accessibility violations on {page.url}:\n" + "\n".join(violations)


def sign_in_as(page: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real sign-in form."""
    page.goto("/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def sign_in_with_session(page: Any, user: Any, base_url: str) -> None:
    """Start the browser signed in as `user` with a session cookie, skipping the form.

    For tests about the pages a user sees once signed in; the sign-in form itself is driven by
    sign_in_as (tests/browser/test_access_journeys.py, test_pages_accessible's sign-in test).
    """
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])


@pytest.fixture
def sign_in(page: Any, db: Any) -> Callable[..., Any]:
    """Sign in as a new user with the given role (no agency or scheme: sees no people)."""

    def _sign_in(role: Role, username: str | None = None) -> Any:
        user = user_create(
            username=username or f"test.{role.value}",
            password=PASSWORD,
            role=role,
            first_name="Test",
            last_name=str(role.label),
        )
        sign_in_as(page, user.username)
        return user

    return _sign_in
