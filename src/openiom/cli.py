"""`iom`: the OpenIOM command line. Each capability contributes its commands from its own cli.py."""

from __future__ import annotations

import importlib
import os

import click

# name -> "module:attribute"; imported only when used so `iom --help` stays fast.
COMMANDS = {
    "demo": "openiom.web.cli:demo",
    "serve": "openiom.web.cli:serve",
    "manage": "openiom.web.cli:manage",
    "import": "openiom.imports.cli:import_group",
    "reference": "openiom.reference.cli:reference",
    "audit": "openiom.audit.cli:audit",
    "retention": "openiom.retention.cli:retention",
    "synth": "openiom.synth.cli:synth",
    "cohort": "openiom.cohorts.cli:cohort",
    "evaluate": "openiom.evaluation.cli:evaluate",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


@click.group(cls=LazyGroup)
@click.version_option(package_name="openiom")
@click.option(
    "--user",
    "-u",
    "username",
    envvar="OPENIOM_USER",
    help="Your OpenIOM username. Commands that use the application database run as you, with your "
    "role's permissions, and are audited as you; the password comes from OPENIOM_PASSWORD or a prompt.",
)
@click.pass_context
def main(ctx: click.Context, username: str | None) -> None:
    """OpenIOM: Integrated Offender Management for police, probation and partners."""
    from openiom.access.commands import remember_user

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiom.config.settings")
    remember_user(ctx, username)


def setup_django() -> None:
    """Commands that touch the application database call this first."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiom.config.settings")
    django.setup()


if __name__ == "__main__":
    main()
