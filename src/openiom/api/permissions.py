"""The API's side of the one permission check: the view's declared action, asked of openiom.access.policy."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from openiom.access.policy import PUBLIC, action_of, has_permission
from openiom.accounts.two_factor import two_factor_done
from openiom.accounts.types import signed_in
from openiom.api.authentication import BrowserSessionAuthentication
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record


class CentralPermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        action = action_of(view.__class__)
        if action is None:
            return False  # deny by default, as the middleware does for pages
        if action == PUBLIC:
            return True
        user = request.user
        if not signed_in(user):
            return False
        if (
            settings.OPENIOM_REQUIRE_2FA
            and isinstance(request.successful_authenticator, BrowserSessionAuthentication)
            and not two_factor_done(request._request)
        ):
            return False
        if not has_permission(user, action):
            audit_record(
                user=user,
                action=AuditAction.PERMISSION_DENIED,
                detail={"via": "api", "path": request.path, "action": action, "method": request.method},
            )
            request._request.openiom_audited = True
            return False
        return True
