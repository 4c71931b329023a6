"""Single sign-on against a real OpenID Connect provider on loopback (tests/accounts/oidc_provider.py)."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client

from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.audit.models import AuditEvent
from tests.accounts.oidc_provider import Provider, running_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    with running_provider() as running:
        running.configure(settings)
        yield running


def _sign_in(client: Client, provider: Provider, username: str) -> Any:
    """The browser's round trip: OpenIOM → provider's authorize endpoint → back to the callback."""
    provider.claims = {"sub": f"sub-{username}", "preferred_username": username, "email": f"{username}@x"}
    start = client.get("/oidc/authenticate/", {"next": "/people/"})
    assert start.status_code == 302 and start["Location"].startswith(f"{provider.base}/authorize?")
    target = urlparse(start["Location"])
    connection = http.client.HTTPConnection(target.netloc, timeout=10)
    connection.request("GET", f"{target.path}?{target.query}")
    back = connection.getresponse().getheader("Location") or ""
    connection.close()
    callback = urlparse(back)
    assert callback.path == "/oidc/callback/"
    return client.get(callback.path + "?" + callback.query)


def test_a_provisioned_user_signs_in_and_keeps_their_role(provider: Provider, settings: Any) -> None:
    settings.OPENIOM_REQUIRE_2FA = False
    officer = user_create(username="pc.jones", password="a long unused password", role=Role.POLICE_OFFICER)
    client = Client()
    page = client.get("/sign-in").content.decode()
    assert "Sign in with Example Police account" in page
    response = _sign_in(client, provider, "pc.jones")
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert client.get("/people/").status_code == 200
    assert client.get("/cohorts/").status_code == 403  # the role's permissions, not the provider's
    assert AuditEvent.objects.filter(user=officer, action="accounts.sign_in").exists()


def test_nobody_is_created_by_signing_in(provider: Provider) -> None:
    from openiom.accounts.models import User

    client = Client()
    response = _sign_in(client, provider, "not.provisioned")
    assert response.status_code == 302 and response["Location"] == "/sign-in?sso=failed"
    assert not User.objects.filter(username="not.provisioned").exists()
    assert client.get("/people/").status_code == 302
    assert "Single sign-on did not sign you in" in client.get("/sign-in?sso=failed").content.decode()


def test_two_factor_is_the_providers_only_when_it_says_so(provider: Provider, settings: Any) -> None:
    settings.OPENIOM_REQUIRE_2FA = True
    user_create(username="pp.smith", password="a long unused password", role=Role.PROBATION_PRACTITIONER)
    # A password-only sign-in at the provider: OpenIOM still asks for its own code.
    provider.amr = ["pwd"]
    client = Client()
    _sign_in(client, provider, "pp.smith")
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/two-factor")
    # A multi-factor sign-in at the provider counts.
    provider.amr = ["pwd", "mfa"]
    client = Client()
    _sign_in(client, provider, "pp.smith")
    assert client.get("/people/").status_code == 200


def test_a_forged_or_replayed_callback_signs_nobody_in(provider: Provider) -> None:
    user_create(username="pc.jones", password="a long unused password", role=Role.POLICE_OFFICER)
    client = Client()
    client.get("/oidc/authenticate/")
    forged = client.get("/oidc/callback/", {"code": "made-up", "state": "made-up"})
    assert forged.status_code in (302, 400)
    assert client.get("/people/").status_code == 302


def test_single_sign_on_is_off_unless_configured() -> None:
    client = Client()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/").status_code == 404
    assert "oidc/authenticate" not in client.get("/sign-in").content.decode()
