"""`iom performance`: the quarterly performance report from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from openiom.access.commands import command_action, current_user


@click.group()
def performance() -> None:
    """Before/after offending, harm and cost of a scheme, and its case quality (see docs/performance.md)."""


@performance.command("report")
@command_action("performance.report")
@click.option("--scheme", "scheme_code", required=True, help="The scheme's code; you must be a member of it.")
@click.option("--quarter", required=True, help="The quarter, such as 2026Q3: figures as at its last day.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--months",
    type=click.Choice(["3", "6", "12", "24"]),
    default="12",
    show_default=True,
    help="Months before and after adoption.",
)
def report(scheme_code: str, quarter: str, out_dir: Path, months: str) -> None:
    """Write the scheme's quarterly report as HTML, PDF and CSV into OUT."""
    from openiom.performance import selectors, services
    from openiom.performance.measures import MeasureError
    from openiom.performance.report import STEPS

    user = current_user()
    scheme = selectors.scheme_for(user, scheme_code)
    if scheme is None:
        raise click.ClickException(f"--scheme {scheme_code}: no such scheme, or you are not a member of it.")
    try:
        selectors.quarter_dates(quarter)
    except MeasureError as exc:
        raise click.BadParameter(str(exc).replace("quarter: ", ""), param_hint="--quarter") from exc
    with click.progressbar(length=len(STEPS), label="Performance report", file=sys.stderr) as bar:

        def progress(step: str) -> None:
            bar.label = f"Performance report: {step}"
            bar.update(1)

        try:
            paths = services.report_write(
                user=user,
                scheme=scheme,
                quarter=quarter,
                months=int(months),
                out_dir=out_dir,
                progress=progress,
            )
        except services.NoData as exc:
            raise click.ClickException(str(exc)) from exc
    for kind in ("html", "pdf", "csv"):
        click.echo(f"{kind.upper()}: {paths[kind]}")
