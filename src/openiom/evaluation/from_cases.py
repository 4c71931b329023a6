"""An evaluation of the scheme's own adopted cases, read from the application database.

The web form records what the analyst chose (scheme, streams, adoption period, outcomes, how far the
records reach) on the run; the job turns it into the pipeline's three input files in the run's own
folder and a configuration naming them, so matching, balance and outcomes are exactly those of a
configuration file's evaluation (openiom.evaluation.pipeline), and the inputs are hashed in
results.json like any other.

People are written under their database id, with only date of birth and sex: the files never hold a
name or an agency identifier. The comparison pool is the pipeline's own: the never-adopted people with
an eligible index event in the adoption period.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openiom.access.models import Scheme
from openiom.evaluation import selectors
from openiom.evaluation.config import ConfigError, EvaluationConfig, parse_config

if TYPE_CHECKING:
    from openiom.evaluation.models import EvaluationRun

SOURCE = "cases"
SOURCE_SYSTEM = "openiom"
INPUTS = "inputs"
EVENT_HEADER = (
    "source_system",
    "source_id",
    "person_source_id",
    "event_type",
    "offence_date",
    "outcome_date",
    "offence_code",
    "disposal",
    "custody_start",
    "release_date",
)


def choices_record(
    *,
    scheme: Scheme,
    streams: list[str],
    adopted_from: date,
    adopted_to: date,
    outcomes: list[str],
    data_end: date | None,
    title: str,
) -> dict[str, Any]:
    """What a run from cases keeps of the form: plain values the job reads back."""
    return {
        "source": SOURCE,
        "cases": {
            "scheme_id": scheme.pk,
            "streams": sorted(streams),
            "adopted_from": adopted_from.isoformat(),
            "adopted_to": adopted_to.isoformat(),
        },
        "settings": {
            "title": title,
            "outcomes": outcomes,
            "data_end": data_end.isoformat() if data_end else None,
        },
    }


def is_from_cases(config: dict[str, Any]) -> bool:
    return config.get("source") == SOURCE


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def write_inputs(run: EvaluationRun) -> EvaluationConfig:
    """Write people.csv, events.csv and treated.csv under the run's folder from the database, as the
    run's creator may see them now, and return the configuration that evaluates them."""
    chosen = run.config["cases"]
    settings = run.config["settings"]
    scheme = Scheme.objects.filter(pk=chosen["scheme_id"]).first()
    if scheme is None:
        raise ConfigError("scheme: the scheme of this evaluation no longer exists")
    start, end = date.fromisoformat(chosen["adopted_from"]), date.fromisoformat(chosen["adopted_to"])
    treated = selectors.cases_adopted(
        run.created_by, scheme=scheme, streams=chosen["streams"], adopted_from=start, adopted_to=end
    )
    folder = Path(run.output_dir) / INPUTS
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "treated.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("source_system", "source_id", "index_date"))
        for person_id, adopted in treated.order_by("person_id").values_list("person_id", "start_date"):
            writer.writerow((SOURCE_SYSTEM, person_id, _iso(adopted)))
    population = selectors.evaluation_population(run.created_by, treated)
    with (folder / "people.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("source_system", "source_id", "date_of_birth", "sex"))
        for person_id, born, sex in selectors.population_rows(population):
            writer.writerow((SOURCE_SYSTEM, person_id, _iso(born), sex))
    with (folder / "events.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EVENT_HEADER)
        for (
            pk,
            person_id,
            kind,
            offence,
            outcome,
            code,
            disposal,
            custody,
            release,
        ) in selectors.population_events(population):
            writer.writerow(
                (
                    SOURCE_SYSTEM,
                    pk,
                    person_id,
                    kind,
                    _iso(offence),
                    _iso(outcome),
                    code,
                    disposal or "",
                    _iso(custody),
                    _iso(release),
                )
            )
    raw: dict[str, Any] = {
        "title": settings["title"],
        "data": {"people": "people.csv", "events": "events.csv", "treated": "treated.csv"},
        "outcomes": settings["outcomes"],
        # The pool's index events are looked for in the adoption period, as the treated people's are.
        "comparison": {"window_start": chosen["adopted_from"], "window_end": chosen["adopted_to"]},
    }
    if settings.get("data_end"):
        raw["data_end"] = settings["data_end"]
    return parse_config(raw, folder, confined=True)
