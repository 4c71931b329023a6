from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from openiom.access.policy import SIGNED_IN, public, requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.web.navigation import navigation_for
from openiom.web.selectors import database_answers


@requires(SIGNED_IN)
def home(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "web/home.html", {"entries": navigation_for(request)})


@public
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the app is up and its database answers."""
    if not database_answers():
        return JsonResponse({"status": "unavailable", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


@public
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "web/privacy.html")


def _error(request: HttpRequest, status: int, template: str) -> HttpResponse:
    return render(request, template, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "web/400.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception is not None and exception.args else ""
    return render(request, "web/403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "web/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: its processors read the session and user from the database, which may be
    # the very thing that failed.
    html = render_to_string("web/500.html", {"service_name": settings.OPENIOM_SERVICE_NAME})
    return HttpResponse(html, status=500)


@public
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, "web/403_csrf.html")
