"""Errors as RFC 9457 problem documents (application/problem+json), each naming the field at fault."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

PROBLEM_TYPE = "application/problem+json"

TITLES = {
    400: "The request is not valid",
    401: "Authentication is needed",
    403: "You do not have permission to do this",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    412: "The record has changed since you read it",
    415: "Unsupported media type",
    429: "Too many requests",
}


def _errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested error detail into one entry per field: {"field": ..., "detail": ...}."""
    if isinstance(detail, dict):
        found: list[dict[str, str]] = []
        for key, value in detail.items():
            name = str(key) if not prefix else f"{prefix}.{key}"
            found.extend(_errors(value, "" if key == "non_field_errors" else name))
        return found
    if isinstance(detail, list):
        return [entry for item in detail for entry in _errors(item, prefix)]
    return [{"field": prefix, "detail": str(detail)}]


def problem(status_code: int, detail: str, *, errors: list[dict[str, str]] | None = None) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _(TITLES.get(status_code, "Error")),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=PROBLEM_TYPE)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        # Out of scope looks the same as not existing, as on the pages.
        return problem(404, _("No such record, or not one you may see."))
    if not isinstance(exc, exceptions.APIException):
        return None  # a real fault: Django's 500 handler, logged
    if isinstance(exc, exceptions.ValidationError):
        errors = _errors(exc.detail)
        fields = ", ".join(sorted({e["field"] for e in errors if e["field"]}))
        detail = _("Check these fields: %(fields)s.") % {"fields": fields} if fields else errors[0]["detail"]
        return problem(status.HTTP_400_BAD_REQUEST, detail, errors=errors)
    response = problem(exc.status_code, str(exc.detail))
    # DRF sets the challenge on the exception when it answers 401 (a bearer token is expected).
    header = getattr(exc, "auth_header", None)
    if header:
        response["WWW-Authenticate"] = header
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait))
    return response
