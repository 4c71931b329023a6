from __future__ import annotations

import csv
from pathlib import Path

import click
from tqdm import tqdm

from openiom.access.commands import command_action, current_user
from openiom.config.django_setup import setup_django

MAX_ERRORS_SHOWN = 50
STAGES = ["reading", "validating", "linking people", "comparing", "writing"]


@click.group("import")
def import_group() -> None:
    """Import people and offending histories from CSV or Parquet (see docs/data-formats.md)."""


def _run(kind: str, path: Path, report: Path | None) -> None:
    setup_django()
    from openiom.imports.services import events_import, people_import
    from openiom.imports.validation import ImportFileError

    stages = [s for s in STAGES if kind == "events" or s != "linking people"]
    with tqdm(
        total=len(stages),
        desc=f"import {kind}",
        unit="step",
        bar_format="{l_bar}{bar}| {n}/{total} {postfix}",
    ) as bar:

        def progress(stage: str) -> None:
            bar.set_postfix_str(stage)
            bar.update(1)

        try:
            run = people_import if kind == "people" else events_import
            result = run(path=path, user=current_user(), progress=progress)
        except ImportFileError as exc:
            raise click.ClickException(str(exc)) from exc
        bar.n = bar.total
        bar.refresh()
    if not result.ok:
        click.echo(f"{path.name}: {len(result.errors)} problem(s) found; nothing was imported.", err=True)
        for error in result.errors[:MAX_ERRORS_SHOWN]:
            click.echo(f"  {error}", err=True)
        if len(result.errors) > MAX_ERRORS_SHOWN:
            click.echo(f"  … and {len(result.errors) - MAX_ERRORS_SHOWN} more", err=True)
        if report is not None:
            with report.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["row", "field", "problem"])
                writer.writerows([e.row, e.field, e.message] for e in result.errors)
            click.echo(f"All problems written to {report}", err=True)
        raise SystemExit(1)
    click.echo(
        f"{path.name}: {result.rows} rows; {result.inserted} inserted, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )
    if result.linkage is not None:
        linked = result.linkage
        click.echo(
            f"linked to people already known: {linked.automatic_links} automatically, "
            f"{linked.review_pairs} pair(s) waiting for review"
        )
        for problem in linked.problems[:MAX_ERRORS_SHOWN]:
            click.echo(f"  {problem.message}", err=True)


_report = click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every problem found to this CSV file.",
)


@import_group.command("people")
@command_action("data.import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_report
def people(file: Path, report: Path | None) -> None:
    """Import a people FILE (.csv, .csv.gz or .parquet)."""
    _run("people", file, report)


@import_group.command("events")
@command_action("data.import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_report
def events(file: Path, report: Path | None) -> None:
    """Import an offending events FILE (.csv, .csv.gz or .parquet). Import its people first."""
    _run("events", file, report)
