"""`iom`: the OpenIOM command line. Each capability contributes its commands from its own cli.py."""

from __future__ import annotations

import importlib
import os

import click

# name -> ("module:attribute", short help). Listing the commands must not import them: they
# pull in pandas, DuckDB and statsmodels, which is seconds of start-up. A test checks that each
# short help here is the command's own.
COMMANDS = {
    "demo": (
        "openiom.web.cli:demo",
        "Build a synthetic police area in SQLite, create a demo user per role and serve the site.",
    ),
    "serve": ("openiom.web.cli:serve", "Serve the web application (migrates the database first)."),
    "manage": ("openiom.web.cli:manage", "Run a Django management command, such as `iom manage migrate`."),
    "import": (
        "openiom.imports.cli:import_group",
        "Import people and offending histories from CSV or Parquet (see docs/data-formats.md).",
    ),
    "reference": (
        "openiom.reference.cli:reference",
        "Reference data: offence list, categories, unit costs of crime, harm weights.",
    ),
    "api": ("openiom.api.cli:api", "The REST API: register machine clients (see docs/api.md)."),
    "audit": ("openiom.audit.cli:audit", "The audit trail of reads and writes."),
    "retention": (
        "openiom.retention.cli:retention",
        "Records past their retention period: review, approve, then delete or anonymise.",
    ),
    "synth": (
        "openiom.synth.cli:synth",
        "Generate a synthetic police area: known offenders and their offending histories.",
    ),
    "cohort": (
        "openiom.cohorts.fairness_cli:cohort",
        "Cohort identification: selection definitions, candidates and their analytics.",
    ),
    "link": (
        "openiom.identity.cli:link",
        "Identity resolution: link the same person across police, probation and partner records.",
    ),
    "evaluate": (
        "openiom.evaluation.cli:evaluate",
        "Evaluate a programme against a matched comparison group (see docs/evaluation.md).",
    ),
    "training": (
        "openiom.workforce.cli:training",
        "Training records of the workforce (see docs/workforce.md).",
    ),
    "performance": (
        "openiom.performance.cli:performance",
        "Before/after offending, harm and cost of a scheme, and its case quality (see docs/performance.md).",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attribute = entry[0].split(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


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
    # Imported here, not at the top: the permission table needs Django, which listing the commands must not load.
    from openiom.access.commands import remember_user

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiom.config.settings")
    remember_user(ctx, username)


if __name__ == "__main__":
    main()
