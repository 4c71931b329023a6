"""Cohort analysis as a background job: identify, compare, stability and concentration, run by the
one job mechanism (openiom.evaluation.services: a separate process per job, progress on the run's
row, cancellation) on a DuckDB snapshot of the people the analyst may see.

`analysis_create` records the queued job (in the request); `analysis_job` is what the job process
runs. The request never imports the engine's DuckDB side nor runs a rule (tests/cohorts/test_jobs.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cohorts.fairness_summary import fairness_csv_rows, fairness_summary
from openiom.evaluation.limits import job_limits_check
from openiom.evaluation.models import EvaluationRun

if TYPE_CHECKING:
    from openiom.accounts.models import User

JOB = "cohort_analysis"
STEPS = (
    "reading the data",
    "identifying",
    "comparing",
    "stability",
    "concentration",
    "fairness",
    "writing the results",
)
CSV_NAME = "cohort-analysis.csv"


def analysis_create(
    *, user: User, as_of: dt.date, definitions: list[str], residents: dict[str, Any] | None = None
) -> EvaluationRun:
    """Record a queued analysis (raising JobLimitReached if the user or the server has too many);
    launch it with openiom.evaluation.services.evaluation_run_launch. `residents` is a checked
    resident table ({"name": file name, "table": dimension -> group -> people})."""
    from openiom.evaluation.selectors import output_root

    job_limits_check(user)
    run = EvaluationRun.objects.create(
        created_by=user,
        title=f"Cohort analysis on {as_of.isoformat()}",
        config_text="",
        config={
            "job": JOB,
            "as_of": as_of.isoformat(),
            "definitions": list(definitions),
            **({"residents": residents} if residents else {}),
        },
        output_dir=str(output_root() / uuid.uuid4().hex),
        step_count=len(STEPS),
    )
    audit_record(
        user=user,
        action=AuditAction.COHORT_ANALYSE,
        object_type="evaluation_run",
        object_id=run.pk,
        detail={
            "as_of": as_of.isoformat(),
            "definitions": list(definitions),
            "job": run.pk,
            "residents": residents["name"] if residents else None,
        },
    )
    return run


def analysis_job(run: EvaluationRun, progress: Callable[[str], None]) -> dict[str, Any]:
    """The job: the analysis as the user who asked for it may see the data, as a JSON summary (what
    the results page shows) and a CSV file of the same numbers."""
    from openiom.cohorts.definition_selectors import analysable_definitions
    from openiom.cohorts.engine import compare_results, concentration, identify, stability
    from openiom.cohorts.engine.dates import minus_months
    from openiom.cohorts.engine.fairness import fairness, panel_rows
    from openiom.cohorts.job_selectors import panel_people, people_counts
    from openiom.cohorts.selectors import app_database_snapshot
    from openiom.returns.disclosure import load_config

    user = run.created_by
    as_of = dt.date.fromisoformat(run.config["as_of"])
    chosen = list(run.config.get("definitions") or [])
    definitions = [d for d in analysable_definitions(user=user) if not chosen or d.id in chosen]
    progress(STEPS[0])
    source = app_database_snapshot(user=user)
    try:
        progress(STEPS[1])
        results = [identify(source, d, as_of, evidence=False) for d in definitions]
        progress(STEPS[2])
        comparison = compare_results(results)
        progress(STEPS[3])
        # Selected at T and T + 12 months, with T early enough that a further offence committed in
        # the year has had the 6-month waiting period to be proven by the as-of date.
        start = minus_months(as_of, 18)
        churn = [stability(source, d, start, months=12, waiting_months=6) for d in definitions]
        progress(STEPS[4])
        spread = concentration(source, as_of)
        progress(STEPS[5])
        disclosure = load_config()
        supplied = run.config.get("residents") or {}
        reports = [
            fairness(
                source,
                r,
                config=disclosure,
                residents=supplied.get("table"),
                residents_name=supplied.get("name"),
            )
            for r in results
        ]
        for report, definition in zip(reports, definitions, strict=True):
            chosen_people = panel_people(user=user, definition_id=definition.id)
            if chosen_people:
                report.rows += panel_rows(chosen_people, disclosure)
    finally:
        source.close()
    progress(STEPS[6])
    titles = {d.label: d.title for d in definitions}
    summary: dict[str, Any] = {
        "job": JOB,
        "as_of": as_of.isoformat(),
        "snapshot_id": source.snapshot_id,
        "reference": source.snapshot.get("reference"),
        "people": people_counts(user=user),
        "sizes": [
            {"label": label, "title": titles[label], "size": size, "unique": len(comparison.unique[label])}
            for label, size in comparison.sizes.items()
        ],
        "overlaps": [o | {"a_title": titles[o["a"]], "b_title": titles[o["b"]]} for o in comparison.overlaps],
        "stability_start": start.isoformat(),
        "stability_end": churn[0].end.isoformat() if churn else None,
        "stability": [
            {
                "label": s.definition,
                "title": titles[s.definition],
                "selected_at_start": s.selected_at_start,
                "selected_again": s.selected_again,
                "desisted_unaided": s.desisted_unaided,
                "entrants": s.entrants,
                "retained_percent": 100 * s.retained_share,
            }
            for s in churn
        ],
        "concentration": {
            "window": spread.window,
            "offenders": spread.offenders,
            "offences": spread.offences,
            "top_shares": [[pct, 100 * share] for pct, share in spread.top_shares.items()],
            "lorenz": [list(point) for point in spread.lorenz],
            "gini": spread.gini,
            "long_career_threshold": spread.long_career_threshold,
            "long_career_percent": 100 * spread.long_career_share,
        },
        "fairness": fairness_summary(reports, titles),
    }
    _write_csv(Path(run.output_dir) / CSV_NAME, summary)
    return summary


def _write_csv(path: Path, summary: dict[str, Any]) -> None:
    """Every number of the results page, one row each: section, definition, measure, value."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["section", "definition", "measure", "value"])
        for row in summary["sizes"]:
            out.writerow(["sizes", row["label"], "selected", row["size"]])
            out.writerow(["sizes", row["label"], "selected_by_no_other", row["unique"]])
        for row in summary["overlaps"]:
            pair = f"{row['a']} & {row['b']}"
            for measure in ("both", "either", "jaccard"):
                out.writerow(["overlap", pair, measure, row[measure]])
        for row in summary["stability"]:
            for measure in ("selected_at_start", "selected_again", "desisted_unaided", "entrants"):
                out.writerow(["stability", row["label"], measure, row[measure]])
            out.writerow(
                ["stability", row["label"], "selected_again_percent", f"{row['retained_percent']:.1f}"]
            )
        spread = summary["concentration"]
        for measure in ("offenders", "offences", "gini", "long_career_percent"):
            out.writerow(["concentration", "", measure, spread[measure]])
        for pct, share in spread["top_shares"]:
            out.writerow(["concentration", "", f"share_of_offences_top_{pct:g}_percent", f"{share:.1f}"])
        out.writerows(fairness_csv_rows(summary.get("fairness")))
