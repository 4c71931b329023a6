"""Single sign-on in real Chromium: the browser follows the redirects to the provider and back."""

from __future__ import annotations

from typing import Any

import pytest

from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from tests.accounts.oidc_provider import running_provider
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signing_in_through_the_identity_provider(page: Any, settings: Any) -> None:
    with running_provider() as provider:
        provider.configure(settings)
        settings.OPENIOM_REQUIRE_2FA = True
        user_create(username="pc.jones", password="a long unused password", role=Role.POLICE_OFFICER)
        provider.claims = {"sub": "s1", "preferred_username": "pc.jones", "email": "pc.jones@x"}
        provider.amr = ["pwd", "mfa"]
        page.goto("/people/")
        assert_accessible(page)
        page.get_by_role("button", name="Sign in with Example Police account").click()
        page.wait_for_url("**/people/")
        assert page.get_by_role("heading", name="Find a person").is_visible()
        # Someone the scheme has not set up is turned away with an explanation.
        page.context.clear_cookies()
        provider.claims = {"sub": "s2", "preferred_username": "stranger", "email": "s@x"}
        page.goto("/sign-in")
        page.get_by_role("button", name="Sign in with Example Police account").click()
        page.wait_for_url("**/sign-in?sso=failed")
        assert page.get_by_text("Single sign-on did not sign you in").is_visible()
        assert_accessible(page)
