"""With the real Content Security Policy enforced, GOV.UK Frontend's JavaScript still starts."""

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scripts_run_under_the_policy_without_violations(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    response = page.goto("/sign-in")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
    # initAll() ran from the static module: the skip link is enhanced by its JavaScript component.
    page.wait_for_function(
        "document.querySelector('.govuk-skip-link').hasAttribute('data-govuk-skip-link-init')"
    )
    assert violations == []
    context.close()
