from __future__ import annotations

from pathlib import Path

import click

from openiom.access.commands import command_action, current_user
from openiom.config.django_setup import setup_django


@click.group()
def reference() -> None:
    """Reference data: offence list, categories, unit costs of crime, harm weights."""


@reference.command("load")
@command_action("reference.manage")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
@click.option("--no-activate", is_flag=True, help="Load the version without making it the active one.")
def load(directory: Path | None, no_activate: bool) -> None:
    """Load a reference data DIRECTORY (manifest.yaml + CSVs); without one, the built-in version."""
    setup_django()
    from openiom.reference.datafiles import ReferenceDataError, builtin_directory
    from openiom.reference.services import reference_dataset_load

    try:
        dataset = reference_dataset_load(
            directory=directory or builtin_directory(), user=current_user(), activate=not no_activate
        )
    except ReferenceDataError as exc:
        raise click.ClickException(str(exc)) from exc
    state = "active" if dataset.is_active else "loaded, not active"
    click.echo(f"Reference data {dataset.version} ({state}): {dataset.offences.count()} offences")


@reference.command("show")
@command_action("reference.view")
def show() -> None:
    """Show the loaded versions and any UNCONFIRMED figures in the active one."""
    setup_django()
    from openiom.reference import selectors

    for dataset in selectors.dataset_list():
        marker = "*" if dataset.is_active else " "
        click.echo(f"{marker} {dataset.version}  {dataset.title}  loaded {dataset.loaded_at:%Y-%m-%d %H:%M}")
    active = selectors.dataset_active()
    if active is None:
        click.echo("No reference data is active: run `iom reference load`.")
        return
    unconfirmed = [c for c in selectors.unit_costs_for(active) if c.status == "UNCONFIRMED"]
    click.echo(f"\nActive {active.version}: {len(unconfirmed)} unit costs are UNCONFIRMED:")
    for cost in unconfirmed:
        value = f"£{cost.unit_cost_gbp:,.0f}" if cost.unit_cost_gbp is not None else "no figure"
        click.echo(f"  {cost.cost_category:<24} {value:<12} {cost.note}")
