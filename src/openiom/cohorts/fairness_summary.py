"""The fairness section of a saved cohort analysis: computed in the job (never in a request), stored
with the run's summary, written to its CSV. Suppressed counts are not stored at all: the summary
keeps None and how the count is shown ("small": fewer than the threshold; "withheld")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the request side imports this module; the engine (Ibis) stays in the job
    from openiom.cohorts.engine.fairness import FairnessReport

MEASURES = ("selected", "base", "rate", "ratio", "low", "high")


def fairness_summary(reports: Sequence[FairnessReport], titles: dict[str, str]) -> dict[str, Any]:
    return {
        "threshold": reports[0].threshold if reports else None,
        "window": reports[0].window if reports else None,
        "definitions": [report.as_dict() | {"title": titles[report.definition]} for report in reports],
    }


def _value(row: dict[str, Any], measure: str, threshold: int) -> str:
    value = row[measure]
    if value is not None:
        return f"{value:.6g}" if isinstance(value, float) else str(value)
    shown = row.get(f"{measure}_shown")
    if shown == "small":
        return f"fewer than {threshold}"
    if shown == "withheld":
        return "withheld"
    return ""


def fairness_csv_rows(summary: dict[str, Any] | None) -> list[list[Any]]:
    """section, definition, measure, value rows: measure is comparison/dimension/group/what."""
    if not summary:
        return []
    threshold = summary["threshold"]
    rows: list[list[Any]] = []
    for report in summary["definitions"]:
        for row in report["rows"]:
            stem = f"{row['comparison']}/{row['dimension']}/{row['group']}"
            for measure in MEASURES:
                rows.append(
                    ["fairness", report["definition"], f"{stem}/{measure}", _value(row, measure, threshold)]
                )
            rows.append(["fairness", report["definition"], f"{stem}/reference", row["reference"]])
    return rows
