"""Who is calling the API: a registered system with an OAuth2 token, or a person with their session.

A system's token is issued to its client (a django-oauth-toolkit application); the client belongs to
its service-account user (role, agency, schemes), and the call runs as that user, so the one
permission table and the scope selectors apply exactly as on the pages.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from openiom.accounts.types import signed_in


class ClientCredentialsAuthentication(OAuth2Authentication):
    www_authenticate_realm = "openiom"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("bearer "):
            return None
        found = super().authenticate(request)
        if found is None:
            # A token was offered and is unknown, expired or revoked: 401, never the anonymous path.
            raise exceptions.AuthenticationFailed("The access token is unknown, expired or revoked.")
        user, token = found
        # Client-credentials tokens carry no user of their own: the client's service account acts.
        user = user or token.application.user
        if not signed_in(user):
            raise exceptions.AuthenticationFailed("This client's service account is disabled.")
        return user, token


class BrowserSessionAuthentication(SessionAuthentication):
    """A signed-in person in their browser; DRF enforces Django's CSRF check on unsafe methods."""
