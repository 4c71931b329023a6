from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from openiom.access.policy import PUBLIC, TWO_FACTOR, action_of, has_permission
from openiom.accounts.two_factor import two_factor_done
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record

logger = logging.getLogger(__name__)


class PermissionMiddleware:
    """Deny by default: a view must declare an action, and the user must be allowed it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        action = action_of(view_func)
        if action is None:
            logger.error(
                "view %s declares no permission rule; refused", getattr(view_func, "__name__", view_func)
            )
            raise PermissionDenied
        if action == PUBLIC:
            return None
        if getattr(getattr(view_func, "view_class", None), "openiom_api", False):
            # An API view authenticates its token first, then asks has_permission for the same
            # action in openiom.api.permissions: a 401 or 403 problem document, never a sign-in redirect.
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if settings.OPENIOM_REQUIRE_2FA and action != TWO_FACTOR and not two_factor_done(request):
            return redirect_to_login(request.get_full_path(), "accounts:two-factor")
        if not has_permission(user, action):
            # Refusals are audited too, as on the command line (access.commands).
            audit_record(
                user=user,
                action=AuditAction.PERMISSION_DENIED,
                detail={"via": "web", "path": request.path, "action": action},
            )
            raise PermissionDenied
        return None
