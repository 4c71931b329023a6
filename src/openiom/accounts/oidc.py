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
from django.http import HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from openiom.accounts.two_factor import IDP_MFA
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record


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


class SignInCallback(OIDCAuthenticationCallbackView):  # type: ignore[misc]  # mozilla-django-oidc ships no types
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
