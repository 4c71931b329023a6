"""The single sign-on endpoints. The OpenID client (mozilla-django-oidc, requests) is imported when
one is called, not when the URLs are loaded, so a worker's first answer does not wait for it."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from openiom.access.policy import public


def _enabled() -> None:
    if not settings.OPENIOM_OIDC_ENABLED:
        raise Http404


@public
def authenticate(request: HttpRequest) -> HttpResponse:
    """Send the browser to the identity provider (404 when single sign-on is not configured)."""
    _enabled()
    from mozilla_django_oidc.views import OIDCAuthenticationRequestView

    response: HttpResponse = OIDCAuthenticationRequestView.as_view()(request)
    return response


@public
def callback(request: HttpRequest) -> HttpResponse:
    """The identity provider sends the browser back here with a code, exchanged for the ID token."""
    _enabled()
    from openiom.accounts.oidc import SignInCallback

    response: HttpResponse = SignInCallback.as_view()(request)
    return response
