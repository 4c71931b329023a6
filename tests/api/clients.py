"""Registering real API clients and obtaining real tokens from /api/v1/token."""

from __future__ import annotations

from typing import Any

from django.test import Client

from openiom.accounts.roles import Role
from openiom.api.services import RegisteredClient, register_client
from tests.access.world import World


def registered(world: World, name: str, role: Role, agency: str, schemes: list[str]) -> RegisteredClient:
    return register_client(
        by=world.users[Role.ADMINISTRATOR], name=name, agency_code=agency, scheme_codes=schemes, role=role
    )


def token_for(client: RegisteredClient) -> str:
    response = Client().post(
        "/api/v1/token",
        {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        },
    )
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    return str(body["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
