from __future__ import annotations

from pathlib import Path

import click

from openiom.access.commands import command_action, current_user
from openiom.config.django_setup import setup_django

MAX_ERRORS_SHOWN = 50


@click.group("training")
def training() -> None:
    """Training records of the workforce (see docs/workforce.md)."""


@training.command("import")
@command_action("training.import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_records(file: Path) -> None:
    """Import training completions from a CSV FILE: username, course, completed_on, evidence."""
    setup_django()
    from openiom.workforce.importer import training_import

    result = training_import(path=file, user=current_user())
    if not result.ok:
        click.echo(f"{file.name}: {len(result.errors)} problem(s) found; nothing was imported.", err=True)
        for error in result.errors[:MAX_ERRORS_SHOWN]:
            click.echo(f"  {error}", err=True)
        if len(result.errors) > MAX_ERRORS_SHOWN:
            click.echo(f"  … and {len(result.errors) - MAX_ERRORS_SHOWN} more", err=True)
        raise SystemExit(1)
    click.echo(f"{file.name}: {result.rows} rows; {result.inserted} inserted, {result.unchanged} unchanged.")
