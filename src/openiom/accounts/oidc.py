"""Single sign-on with a force's or probation region's OpenID Connect identity provider.

Switched on by the OPENIOM_OIDC_* environment variables (docs/security.md). The identity provider
proves who someone is; what they may do stays OpenIOM's data: an administrator creates the user
with their role, agency and schemes, and the provider's username claim must name that user. Nobody
is created by signing in. If the provider says the sign-in used more than one factor (its `amr`
claim), that counts as OpenIOM's two-factor step; otherwise the user is asked for their
authenticator code as with a password sign-in. Views see `request.user` exactly as before.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from openiom.access.policy import public
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record

# Session key: the identity provider vouched for a multi-factor sign-in.
IDP_MFA = "openiom_idp_mfa"


class OIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # mozilla-django-oidc ships no types
    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[Any]:
        username = claims.get(settings.OPENIOM_OIDC_USERNAME_CLAIM)
        if not username:
            return get_user_model().objects.none()
        return get_user_model().objects.filter(username=username, is_active=True)

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get(settings.OPENIOM_OIDC_USERNAME_CLAIM))

    def describe_user_by_claims(self, claims: dict[str, Any]) -> str:
        return f"{settings.OPENIOM_OIDC_USERNAME_CLAIM} {claims.get(settings.OPENIOM_OIDC_USERNAME_CLAIM)}"

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None:
            methods = set(payload.get("amr") or [])
            user.openiom_idp_mfa = bool(methods & set(settings.OPENIOM_OIDC_MFA_METHODS))
        return user


class _Callback(OIDCAuthenticationCallbackView):  # type: ignore[misc]  # mozilla-django-oidc ships no types
    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        vouched = bool(getattr(self.user, "openiom_idp_mfa", False))
        self.request.session[IDP_MFA] = vouched
        audit_record(
            user=self.user,
            action=AuditAction.ACCOUNTS_SIGN_IN,
            detail={"via": "single sign-on", "multi_factor_by_provider": vouched},
        )
        return response


def _enabled() -> None:
    if not settings.OPENIOM_OIDC_ENABLED:
        raise Http404


@public
def authenticate(request: HttpRequest) -> HttpResponse:
    """Send the browser to the identity provider (404 when single sign-on is not configured)."""
    _enabled()
    response: HttpResponse = OIDCAuthenticationRequestView.as_view()(request)
    return response


@public
def callback(request: HttpRequest) -> HttpResponse:
    """The identity provider sends the browser back here with a code, exchanged for the ID token."""
    _enabled()
    response: HttpResponse = _Callback.as_view()(request)
    return response


def two_factor_done(request: HttpRequest) -> bool:
    """Through OpenIOM's own authenticator code, or a multi-factor sign-in the provider vouched for."""
    user: Any = request.user  # django_otp adds is_verified to the user at run time
    return bool(user.is_verified() or request.session.get(IDP_MFA))
