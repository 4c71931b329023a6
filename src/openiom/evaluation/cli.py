"""`iom evaluate CONFIG --out DIR`: run a matched-comparison evaluation and write its report."""

from __future__ import annotations

from pathlib import Path

import click
from tqdm import tqdm

from openiom.access.commands import LOCAL_FILES, acting_user, command_action
from openiom.evaluation.config import ConfigError, load_config
from openiom.evaluation.effects import CohortTooSmall
from openiom.evaluation.histories import InputError
from openiom.evaluation.matching import MatchingError
from openiom.evaluation.pipeline import STAGES, run_evaluation
from openiom.reference.datafiles import ReferenceDataError


@click.command()
@command_action(LOCAL_FILES)
@click.argument("config_path", metavar="CONFIG", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.html, report.pdf and results.json.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def evaluate(config_path: Path, out_dir: Path, quiet: bool) -> None:
    """Evaluate a programme against a matched comparison group (see docs/evaluation.md)."""
    from openiom.evaluation.report import write_report

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(f"{config_path.name}:\n{exc}") from exc
    case_records = None
    if config.case_outcomes:
        # Only these outcomes touch the application database: the run is then a named user's, checked
        # and audited, reading the cases that user may evaluate.
        from openiom.evaluation.selectors import CaseOutcomesRefused, case_outcome_records

        user = acting_user("evaluation.run")
        try:
            case_records = case_outcome_records(user, config.case_outcomes)
        except CaseOutcomesRefused as exc:
            raise click.ClickException(f"{config_path.name}:\n{exc}") from exc
    bar = tqdm(total=len(STAGES) + 1, desc="evaluation", unit="step", disable=quiet)

    def progress(stage: str) -> None:
        bar.set_postfix_str(stage)
        if stage != STAGES[0]:
            bar.update(1)

    try:
        evaluation = run_evaluation(config, progress, case_records)
        bar.update(1)
        bar.set_postfix_str("writing the report")
        paths = write_report(out_dir, evaluation.results, evaluation.balance_before, evaluation.balance_after)
        bar.update(1)
    except CohortTooSmall as exc:
        raise click.ClickException(f"evaluation refused: {exc}") from exc
    except (InputError, MatchingError, ReferenceDataError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        bar.close()
    headline = evaluation.results["headline"]
    click.echo(headline)
    for warning in evaluation.warnings:
        click.echo(f"warning: {warning}", err=True)
    for path in paths.values():
        click.echo(f"wrote {path}")
