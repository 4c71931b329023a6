"""Responses with personal data must not outlive the session in a browser or a shared cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase


class NoStoreMiddleware:
    """Cache-Control: no-store (and the HTTP/1.0 Pragma) on every response to a signed-in user and
    on every download, whatever the view set: one mechanism rather than a decorator per view, so a
    new page cannot forget it. The back button then refetches, and so asks for the session again,
    after sign-out; a proxy or the browser's disk cache keeps no copy of a person's record."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(getattr(user, "is_authenticated", False))
        download = "attachment" in response.get("Content-Disposition", "")
        if signed_in or download:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
