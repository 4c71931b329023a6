"""`iom cohort`: identify cohorts and analyse selection definitions from the command line."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from tqdm import tqdm

from openiom.access.commands import LOCAL_FILES, acting_user, command_action, current_user
from openiom.cohorts.engine import (
    Definition,
    DefinitionError,
    Source,
    SourceError,
    builtin_definitions,
    compare_results,
    concentration,
    file_source,
    identify,
    resolve_definition,
    stability,
)
from openiom.cohorts.engine.sources import ENGINES
from openiom.cohorts.engine.terms import Window
from openiom.reference.datafiles import ReferenceDataError, read_reference_directory


def _source(
    engine: str, people: Path | None, events: Path | None, reference: Path | None, strict: bool = False
) -> Source:
    try:
        if engine == "database":
            if people or events:
                raise click.UsageError(
                    "--engine database reads the application database; drop --people/--events"
                )
            user = acting_user("cohort.analyse")
            from openiom.cohorts.job_selectors import people_counts
            from openiom.cohorts.selectors import app_database_source

            counts = people_counts(user=user)
            if counts["in_scope"] < counts["in_database"]:
                click.echo(
                    f"{user.username} may analyse {counts['in_scope']:,} of the {counts['in_database']:,} "
                    "people in the application database; the others are outside their scope (records "
                    "not supplied by or shared with their agency, and not people of their schemes)",
                    err=True,
                )
            return app_database_source(user=user)
        if not people or not events:
            raise click.UsageError(
                f"--engine {engine} needs --people and --events files (or use --engine database)"
            )
        ref = read_reference_directory(reference) if reference else None
        source = file_source(people=people, events=events, engine=engine, reference=ref, check=True)
    except (SourceError, ReferenceDataError) as exc:
        raise click.UsageError(str(exc)) from exc
    _report_extract(source, strict=strict)
    return source


def _report_extract(source: Source, *, strict: bool) -> None:
    """Say which rows of the files the analysis drops or doubts; with --strict, any is a failure."""
    report = source.extract
    if report is None:
        return
    for line in report.lines():
        click.echo(line, err=True)
    if strict and not report.clean:
        source.close()
        raise click.ClickException(
            f"--strict: {len(report.findings)} problem(s) in the extract (listed above); nothing was analysed"
        )


def _shows_identities(engine: str) -> bool:
    """Files are the caller's own extract; the database shows each user people as the web does."""
    if engine != "database":
        return True
    from openiom.cohorts.selectors import analysis_shows_identities

    return analysis_shows_identities(current_user())


def _pseudonyms(keys: set[str]) -> dict[str, str]:
    from openiom.cohorts.selectors import analysis_pseudonyms

    return analysis_pseudonyms(keys=keys)


def _definitions(names: Sequence[str]) -> list[Definition]:
    try:
        return [resolve_definition(n) for n in names] if names else builtin_definitions()
    except DefinitionError as exc:
        raise click.UsageError(f"invalid definition:\n{exc}") from exc


def source_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--engine",
            type=click.Choice(ENGINES),
            default="duckdb",
            show_default=True,
            help="duckdb or spark read --people/--events files; database reads the application database.",
        ),
        click.option(
            "--people",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="People file (.parquet, .csv, .csv.gz) as written by `iom synth`.",
        ),
        click.option(
            "--events",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Offending events file (.parquet, .csv, .csv.gz).",
        ),
        click.option(
            "--reference",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="Reference data directory for files (default: the built-in version).",
        ),
        click.option(
            "--strict",
            is_flag=True,
            help="Fail if the --people/--events files have rows the analysis would drop or doubt.",
        ),
        click.option(
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Also write the result to a .csv or .json file.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _as_of(value: dt.datetime | None) -> dt.date:
    # Today in the service's time zone (England and Wales), not the machine's.
    return value.date() if value else dt.datetime.now(ZoneInfo("Europe/London")).date()


AS_OF = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Evaluate as on this date; later events are invisible (default: today).",
)
DEFINITIONS = click.option(
    "--definition",
    "-d",
    "definitions",
    multiple=True,
    help="A built-in definition id or a YAML file; repeat for several (default: all built-ins).",
)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            click.echo("  ".join("-" * w for w in widths))


def write_output(
    path: Path | None, headers: Sequence[str], rows: Sequence[Sequence[Any]], document: Any
) -> None:
    if path is None:
        return
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    elif path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(rows)
    else:
        raise click.UsageError(f"--output {path}: use a .csv or .json file name")
    click.echo(f"written to {path}", err=True)


@click.group()
def cohort() -> None:
    """Cohort identification: selection definitions, candidates and their analytics."""


@cohort.command("definitions")
@command_action(LOCAL_FILES)
def list_definitions() -> None:
    """List the built-in selection definitions."""
    print_table(
        ["id", "version", "title", "file"],
        [(d.id, d.version, d.title, d.file) for d in builtin_definitions()],
    )


@cohort.command("validate")
@command_action(LOCAL_FILES)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check definition files; prints every problem with its file and key path."""
    bad = False
    for path in files:
        try:
            definition = resolve_definition(str(path))
            click.echo(f"{path}: ok ({definition.label}, {len(definition.leaves())} clause(s))")
        except DefinitionError as exc:
            bad = True
            click.echo(str(exc), err=True)
    if bad:
        sys.exit(1)


@cohort.command("identify")
@command_action(LOCAL_FILES)
@DEFINITIONS
@AS_OF
@source_options
@click.option(
    "--save", is_flag=True, help="Write the candidates and their reasons to the application database."
)
def identify_command(
    definitions: tuple[str, ...],
    as_of: dt.datetime | None,
    engine: str,
    people: Path | None,
    events: Path | None,
    reference: Path | None,
    strict: bool,
    output: Path | None,
    save: bool,
) -> None:
    """Select the people each definition picks, with the reasons and events behind each."""
    chosen = _definitions(definitions)
    # Saving writes to the application database: check who is asking before the work, not after.
    saver = acting_user("cohort.analyse") if save else None
    source = _source(engine, people, events, reference, strict)
    identities = _shows_identities(engine)
    day = _as_of(as_of)
    # The events behind a reason are named by record id, so a pseudonymised user gets none.
    results = [
        identify(source, d, day, evidence=identities)
        for d in tqdm(chosen, desc="identify", unit="definition", leave=False)
    ]
    key_name = "person_key" if identities else "person"
    shown = {} if identities else _pseudonyms(set().union(*(r.keys() for r in results)))

    def person(candidate: Any) -> str:
        return candidate.person_key if identities else shown[candidate.person_key]

    def in_order(result: Any) -> list[Any]:
        # Record-id order would hint at the ids behind the pseudonyms.
        return result.candidates if identities else sorted(result.candidates, key=person)

    headers = ["definition", "person", "why"]
    rows = [(r.definition.label, person(c), c.summary) for r in results for c in in_order(r)]
    print_table(headers, rows)
    for r in results:
        click.echo(
            f"{r.definition.label}: {len(r.candidates)} selected at {day} on {engine}, snapshot {r.snapshot_id}"
        )
    document: list[dict[str, Any]] = [
        {
            "run_id": r.run_id,
            "definition": {
                "id": r.definition.id,
                "version": r.definition.version,
                "sha256": r.definition.sha256,
            },
            "as_of": day.isoformat(),
            "engine": r.engine,
            "snapshot": {**r.snapshot, "snapshot_id": r.snapshot_id},
            "candidates": [
                {
                    key_name: person(c),
                    "summary": c.summary,
                    "reasons": [x.as_dict() for x in c.reasons],
                }
                for c in in_order(r)
            ],
        }
        for r in results
    ]
    write_output(output, headers, rows, document)
    if saver is not None:
        from openiom.cohorts.services import CandidateSaveError, cohort_run_save

        for r in results:
            try:
                run = cohort_run_save(result=r, user=saver)
            except CandidateSaveError as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo(f"saved run {run.run_id}: {run.candidate_count} candidates for {r.definition.label}")


@cohort.command("compare")
@command_action(LOCAL_FILES)
@DEFINITIONS
@AS_OF
@source_options
def compare_command(
    definitions: tuple[str, ...],
    as_of: dt.datetime | None,
    engine: str,
    people: Path | None,
    events: Path | None,
    reference: Path | None,
    strict: bool,
    output: Path | None,
) -> None:
    """Cohort sizes, pairwise overlap (counts and Jaccard) and who is unique to each definition."""
    chosen = _definitions(definitions)
    source = _source(engine, people, events, reference, strict)
    identities = _shows_identities(engine)
    day = _as_of(as_of)
    results = [identify(source, d, day, evidence=False) for d in tqdm(chosen, desc="compare", leave=False)]
    comparison = compare_results(results)
    unique = comparison.unique
    if not identities:
        shown = _pseudonyms({key for keys in unique.values() for key in keys})
        unique = {label: sorted(shown[key] for key in keys) for label, keys in unique.items()}
    click.echo(f"Cohort sizes at {day}")
    print_table(
        ["definition", "selected", "unique to it"],
        [(k, v, len(comparison.unique[k])) for k, v in comparison.sizes.items()],
    )
    click.echo("\nPairwise overlap")
    headers = ["a", "b", "both", "either", "jaccard"]
    rows = [(o["a"], o["b"], o["both"], o["either"], f"{o['jaccard']:.3f}") for o in comparison.overlaps]
    print_table(headers, rows)
    document = {
        "as_of": day.isoformat(),
        "snapshot": results[0].snapshot_id if results else None,
        "sizes": comparison.sizes,
        "overlaps": comparison.overlaps,
        "unique": unique,
    }
    write_output(output, headers, rows, document)


@cohort.command("stability")
@command_action(LOCAL_FILES)
@DEFINITIONS
@AS_OF
@source_options
@click.option(
    "--months",
    type=click.IntRange(1, 120),
    default=12,
    show_default=True,
    help="Compare the cohort at the as-of date with the cohort this many months later.",
)
@click.option(
    "--waiting-months",
    type=click.IntRange(0, 24),
    default=6,
    show_default=True,
    help="Extra time for a further offence to be proven (MoJ proven reoffending uses 6).",
)
def stability_command(
    definitions: tuple[str, ...],
    as_of: dt.datetime | None,
    engine: str,
    people: Path | None,
    events: Path | None,
    reference: Path | None,
    strict: bool,
    output: Path | None,
    months: int,
    waiting_months: int,
) -> None:
    """Of those selected at T, how many are selected again at T + months, and how many desisted unaided."""
    chosen = _definitions(definitions)
    source = _source(engine, people, events, reference, strict)
    day = _as_of(as_of)
    found = [
        stability(source, d, day, months=months, waiting_months=waiting_months)
        for d in tqdm(chosen, desc="stability", leave=False)
    ]
    headers = [
        "definition",
        "from",
        "to",
        "selected",
        "again",
        "not again",
        "desisted unaided",
        "entrants",
        "retained %",
        "desisted %",
    ]
    rows = [
        (
            s.definition,
            s.start,
            s.end,
            s.selected_at_start,
            s.selected_again,
            s.not_selected_again,
            s.desisted_unaided,
            s.entrants,
            f"{100 * s.retained_share:.1f}",
            f"{100 * s.desisted_share:.1f}",
        )
        for s in found
    ]
    print_table(headers, rows)
    write_output(output, headers, rows, [dict(zip(headers, row, strict=True)) for row in rows])


@cohort.command("concentration")
@command_action(LOCAL_FILES)
@AS_OF
@source_options
@click.option(
    "--months",
    type=click.IntRange(1, 600),
    default=12,
    show_default=True,
    help="Window of offence dates, ending on the as-of date.",
)
@click.option(
    "--long-career",
    type=click.IntRange(1, 1000),
    default=15,
    show_default=True,
    help="Previous sanction occasions that make a long criminal career.",
)
def concentration_command(
    as_of: dt.datetime | None,
    engine: str,
    people: Path | None,
    events: Path | None,
    reference: Path | None,
    strict: bool,
    output: Path | None,
    months: int,
    long_career: int,
) -> None:
    """Share of proven offences by the top 1/5/10% of offenders, Lorenz curve and long careers."""
    source = _source(engine, people, events, reference, strict)
    day = _as_of(as_of)
    result = concentration(source, day, within=Window(months=months), long_career=long_career)
    click.echo(f"{result.offenders} offenders with {result.offences} proven offences in the {result.window}")
    headers = ["measure", "value"]
    rows: list[tuple[str, str]] = [
        (f"share of offences by top {pct:g}% of offenders", f"{100 * share:.1f}%")
        for pct, share in result.top_shares.items()
    ]
    rows.append(
        (
            f"share of offenders with {long_career}+ previous sanctions",
            f"{100 * result.long_career_share:.1f}%",
        )
    )
    rows.append(("Gini coefficient", f"{result.gini:.3f}"))
    print_table(headers, rows)
    document = {
        "as_of": day.isoformat(),
        "window": result.window,
        "offenders": result.offenders,
        "offences": result.offences,
        "top_shares": {f"{k:g}": v for k, v in result.top_shares.items()},
        "long_career_share": result.long_career_share,
        "gini": result.gini,
        "lorenz": result.lorenz,
    }
    write_output(output, headers, rows, document)
