"""Idle session expiry without a database write on every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

SEEN_KEY = "_openiom_seen"


class IdleSessionMiddleware:
    """Keeps a signed-in session alive while it is used.

    The session store drops a session SESSION_COOKIE_AGE seconds after it was last saved. Saving on
    every request would put a write (and a commit) on every page view; instead the session is saved
    when it was last saved more than OPENIOM_SESSION_REFRESH_SECONDS ago, so an idle session ends
    between SESSION_COOKIE_AGE - OPENIOM_SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after its
    last use.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(SEEN_KEY, 0)) >= settings.OPENIOM_SESSION_REFRESH_SECONDS:
                session[SEEN_KEY] = now
        return response
