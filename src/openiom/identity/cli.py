"""`iom link`: identity resolution across the area's source records."""

from __future__ import annotations

from typing import cast

import click
from tqdm import tqdm

from openiom.access.commands import command_action, current_user
from openiom.config.django_setup import setup_django
from openiom.identity.linkage import Backend

STAGES = [
    "preparing records",
    "linking on exact identifiers",
    "estimating the chance two records match",
    "estimating u by random sampling",
    "estimating m by expectation maximisation",
    "scoring candidate pairs",
    "deciding links",
    "writing links",
]


@click.group("link")
def link() -> None:
    """Identity resolution: link the same person across police, probation and partner records."""


@link.command("run")
@command_action("identity.link")
@click.option("--backend", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True)
@click.option("--auto-threshold", type=click.FloatRange(0, 1), help="Link automatically at or above this.")
@click.option("--review-threshold", type=click.FloatRange(0, 1), help="Queue for review at or above this.")
def run(backend: str, auto_threshold: float | None, review_threshold: float | None) -> None:
    """Re-link every source record in the area and queue the doubtful pairs for review."""
    setup_django()
    from openiom.identity.linkage import LinkageError
    from openiom.identity.services import linkage_config, run_linkage

    try:
        config = linkage_config({"auto_threshold": auto_threshold, "review_threshold": review_threshold})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    with tqdm(
        total=len(STAGES), desc="iom link run", unit="step", bar_format="{l_bar}{bar}| {n}/{total} {postfix}"
    ) as bar:

        def progress(stage: str) -> None:
            bar.set_postfix_str(stage)
            bar.update(1)

        try:
            summary = run_linkage(
                user=current_user(),
                backend=cast(Backend, backend),
                config=config,
                progress=progress,
            )
        except LinkageError as exc:
            raise click.ClickException(str(exc)) from exc
        bar.n = bar.total
        bar.refresh()
    for problem in summary.problems[:50]:
        click.echo(f"  {problem.message}", err=True)
    click.echo(
        f"{summary.records:,} source records: {summary.automatic_links:,} new automatic link(s), "
        f"{summary.review_pairs:,} pair(s) queued for review, {len(summary.problems):,} problem(s) reported."
    )
