"""How the OpenAPI document describes our authentication and our errors."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ClientCredentialsScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "openiom.api.authentication.ClientCredentialsAuthentication"
    name = "clientCredentials"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {"tokenUrl": "/api/v1/token", "scopes": {"api": "The OpenIOM API"}}
            },
        }


class SessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "openiom.api.authentication.BrowserSessionAuthentication"
    name = "browserSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class FieldError(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="The parameter or field at fault (empty for the whole request).")
    detail = serializers.CharField()


class Problem(serializers.Serializer[Any]):
    """An RFC 9457 problem document."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldError(many=True, required=False)


PROBLEM_RESPONSES = {
    code: OpenApiResponse(response=Problem, description=text)
    for code, text in (
        (400, "A parameter or field is not valid"),
        (401, "No token, or an unknown or expired one"),
        (403, "The client's role may not do this"),
        (404, "No such record, or not one the client may see"),
        (406, "The Accept header asks for something other than JSON"),
    )
}


class ProblemAutoSchema(AutoSchema):
    """Every operation documents the problem documents it may answer with."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for status, body in responses.items():
            content = body.get("content") or {}
            # An operation's own error responses (412, 428...) are problem documents too.
            if status[0] in "45" and "application/json" in content:
                content["application/problem+json"] = content.pop("application/json")
        for code, response in PROBLEM_RESPONSES.items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    response, str(code), ["application/problem+json"], direction
                )
        return responses

    def map_renderers(self, attribute: str) -> list[str]:
        return ["application/json"]
