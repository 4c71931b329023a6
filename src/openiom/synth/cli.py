"""`iom synth`: write a seeded synthetic area in the documented import formats, or check one."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import click
from tqdm import tqdm

from openiom.access.commands import LOCAL_FILES, command_action
from openiom.synth import calibration
from openiom.synth.generate import DEFAULT_AS_OF, FORMATS, MAX_PEOPLE, synthesise
from openiom.synth.model import ModelParameters


@click.command()
@command_action(LOCAL_FILES)
@click.option(
    "--people",
    "n_people",
    type=click.IntRange(1, MAX_PEOPLE),
    default=10_000,
    show_default=True,
    help="Number of people in the area.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, None),
    default=1,
    show_default=True,
    help="Random seed; the same seed and parameters give byte-identical files.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    default=DEFAULT_AS_OF.isoformat(),
    show_default=True,
    help="Last day of the ~12-year history.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var/synth"),
    show_default=True,
    help="Directory for people.<format>, events.<format> and synth.json.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="parquet", show_default=True)
@click.option("--source-system", default="SYNTH", show_default=True, help="source_system on every row.")
@click.option(
    "--check",
    is_flag=True,
    help="After generating (or with --check-only, instead), measure the calibration statistics.",
)
@click.option("--check-only", is_flag=True, help="Only measure the files already in --out.")
@click.option(
    "--sources",
    type=click.IntRange(1, 3),
    default=1,
    show_default=True,
    help="2 or 3: also write the same people as police, probation (and partner) records with realistic "
    "errors, and truth.<format>, the true mapping (docs/identity.md).",
)
@click.option(
    "--planted-group",
    type=click.Choice(["A", "B", "M", "O", "W"]),
    default=ModelParameters.planted_group,
    show_default=True,
    help="High-level ethnic group given the planted difference in recorded offending (docs/fairness.md).",
)
@click.option(
    "--planted-factor",
    type=click.FloatRange(0.1, 10.0),
    default=ModelParameters.planted_factor,
    show_default=True,
    help="How many times as likely that group is to have a career of repeated offending; 1 plants nothing.",
)
def synth(
    n_people: int,
    seed: int,
    as_of: datetime,
    out_dir: Path,
    fmt: str,
    source_system: str,
    check: bool,
    check_only: bool,
    sources: int,
    planted_group: str,
    planted_factor: float,
) -> None:
    """Generate a synthetic police area: known offenders and their offending histories."""
    as_of_date: date = as_of.date()
    if not check_only:
        started = time.perf_counter()
        with tqdm(total=n_people, unit="people", desc="synth") as bar:
            try:
                result = synthesise(
                    out_dir,
                    people=n_people,
                    seed=seed,
                    as_of=as_of_date,
                    fmt=fmt,
                    source_system=source_system,
                    progress=bar.update,
                    params=ModelParameters(planted_group=planted_group, planted_factor=planted_factor),
                )
            except ValueError as exc:
                raise click.UsageError(str(exc)) from exc
        seconds = time.perf_counter() - started
        click.echo(
            f"wrote {result.people:,} people to {result.people_path} and {result.events:,} events to "
            f"{result.events_path} in {seconds:.1f}s"
        )
    if sources > 1 and not check_only:
        from openiom.synth.sources import synthesise_sources

        split = synthesise_sources(
            out_dir / "sources", people=n_people, seed=seed, sources=sources, as_of=as_of_date, fmt=fmt
        )
        click.echo(
            f"wrote {split.records:,} source records for {split.people:,} people to {out_dir / 'sources'}"
        )
    if check or check_only:
        people_path, events_path = out_dir / f"people.{fmt}", out_dir / f"events.{fmt}"
        for path in (people_path, events_path):
            if not path.exists():
                raise click.UsageError(f"{path} does not exist; generate an area first or pass --format")
        if check_only:
            as_of_date = calibration.as_of_for(out_dir) or as_of_date
        click.echo(calibration.report(calibration.measure(people_path, events_path, as_of_date)))
