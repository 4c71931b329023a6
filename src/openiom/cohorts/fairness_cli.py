"""`iom cohort fairness`: who each definition selects by ethnicity, sex and age band, against the
offending population and a supplied resident population (docs/fairness.md).

Kept apart from cli.py (which it extends: `openiom.cli` loads the `cohort` group from here).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from openiom.access.commands import LOCAL_FILES, command_action
from openiom.cohorts.cli import (
    AS_OF,
    DEFINITIONS,
    _as_of,
    _definitions,
    _source,
    cohort,
    print_table,
    source_options,
    write_output,
)
from openiom.cohorts.engine import identify
from openiom.cohorts.engine.fairness import FairnessReport, fairness
from openiom.cohorts.engine.fairness_stats import RateRow
from openiom.cohorts.engine.terms import Window
from openiom.cohorts.residents import ResidentsError, load_residents
from openiom.returns.disclosure import DisclosureConfigError, load_config

__all__ = ["cohort", "fairness_command"]

HEADERS = [
    "definition",
    "comparison",
    "dimension",
    "group",
    "selected",
    "of",
    "rate %",
    "ratio",
    "95% interval",
    "reference",
    "note",
]
NOTES = {
    "reference": "reference group",
    "suppressed": "too few to show a rate",
    "reference_suppressed": "reference group too small",
    "none_selected": "no ratio: none selected",
    "inconsistent": "more selected than residents: check the table",
}


def count_text(value: int | None, shown: str, threshold: int) -> str:
    if value is not None:
        return str(value)
    return f"fewer than {threshold}" if shown == "small" else "withheld"


def row_cells(report: FairnessReport, row: RateRow) -> list[Any]:
    interval = f"{row.low:.2f}-{row.high:.2f}" if row.low is not None and row.high is not None else ""
    return [
        report.definition,
        row.comparison,
        row.dimension,
        row.group,
        count_text(row.selected, row.selected_shown, report.threshold),
        count_text(row.base, row.base_shown, report.threshold),
        f"{100 * row.rate:.2f}" if row.rate is not None else "",
        f"{row.ratio:.2f}" if row.ratio is not None else "",
        interval,
        row.reference,
        NOTES.get(row.note, row.note),
    ]


@cohort.command("fairness")
@command_action(LOCAL_FILES)
@DEFINITIONS
@AS_OF
@source_options
@click.option(
    "--months",
    type=click.IntRange(1, 120),
    default=12,
    show_default=True,
    help="The offending population: people with a proven offence committed in this many months to the as-of date.",
)
@click.option(
    "--residents",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Resident population CSV (dimension,group,population) to compare selection rates with.",
)
def fairness_command(
    definitions: tuple[str, ...],
    as_of: dt.datetime | None,
    engine: str,
    people: Path | None,
    events: Path | None,
    reference: Path | None,
    strict: bool,
    output: Path | None,
    months: int,
    residents: Path | None,
) -> None:
    """Selection rates and rate ratios by ethnicity, sex and age band, with 95% intervals."""
    try:
        config = load_config()
        table = load_residents(residents) if residents else None
    except (ResidentsError, DisclosureConfigError) as exc:
        raise click.UsageError(str(exc)) from exc
    chosen = _definitions(definitions)
    source = _source(engine, people, events, reference, strict)
    day = _as_of(as_of)
    # Not closed: on the database engine the connection is Django's own (as the other commands).
    reports = []
    for definition in tqdm(chosen, desc="fairness", unit="definition", leave=False):
        result = identify(source, definition, day, evidence=False)
        reports.append(
            fairness(
                source,
                result,
                config=config,
                within=Window(months=months),
                residents=table,
                residents_name=residents.name if residents else None,
            )
        )
    rows = [row_cells(report, row) for report in reports for row in report.rows]
    for report in reports:
        click.echo(
            f"{report.definition}: offending population = people with a proven offence in the {report.window}; "
            f"counts below {report.threshold} are not shown"
        )
    print_table(HEADERS, rows)
    write_output(output, HEADERS, rows, [r.as_dict() for r in reports])
