"""`iom api`: the REST API's clients."""

from __future__ import annotations

import click

from openiom.access.commands import command_action, current_user
from openiom.config.django_setup import setup_django


@click.group()
def api() -> None:
    """The REST API: register machine clients (see docs/api.md)."""


@api.command("register-client")
@click.option("--name", required=True, help="The client's name, used in the audit trail (e.g. ndelius-sync).")
@click.option("--agency", "agency_code", required=True, help="The code of the agency the client acts for.")
@click.option("--scheme", "scheme_codes", multiple=True, help="A scheme code; repeat for several.")
@click.option("--role", required=True, help="The role whose permissions the client has (permissions.yaml).")
@command_action("api.register_client")
def register_client(name: str, agency_code: str, scheme_codes: tuple[str, ...], role: str) -> None:
    """Register a system to use the API with OAuth2 client credentials; prints its id and secret once."""
    setup_django()
    from openiom.api.services import ClientRegistrationError
    from openiom.api.services import register_client as register

    try:
        client = register(
            by=current_user(), name=name, agency_code=agency_code, scheme_codes=list(scheme_codes), role=role
        )
    except ClientRegistrationError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Registered API client {client.name}.")
    click.echo(f"client_id:     {client.client_id}")
    click.echo(f"client_secret: {client.client_secret}")
    click.echo("Keep the secret now: only its hash is stored, and it cannot be shown again.")
