"""Whether a signed-in user has passed a second factor. Kept apart from the single sign-on module, so
the permission middleware on every request does not import the OpenID client and its HTTP stack."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

# Session key: the identity provider vouched for a multi-factor sign-in.
IDP_MFA = "openiom_idp_mfa"


def two_factor_done(request: HttpRequest) -> bool:
    """Through OpenIOM's own authenticator code, or a multi-factor sign-in the provider vouched for."""
    user: Any = request.user  # django_otp adds is_verified to the user at run time
    return bool(user.is_verified() or request.session.get(IDP_MFA))
