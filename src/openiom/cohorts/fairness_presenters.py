"""The fairness section of a cohort analysis as the page shows it: translated group names, counts
below the threshold as "fewer than N", and a chart of the ratios beside a table of the same numbers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openiom.cohorts.charts import ratio_chart
from openiom.people.models import Ethnicity, Sex

DIMENSION_LABELS = {
    "ethnic_group": gettext_lazy("Ethnic group (2021 Census high-level groups)"),
    "ethnicity": gettext_lazy("Ethnicity (detailed, as recorded)"),
    "sex": gettext_lazy("Sex"),
    "age_band": gettext_lazy("Age on the as-of date"),
}
COMPARISON_LABELS = {
    "offenders": gettext_lazy("Against the offending population"),
    "residents": gettext_lazy("Against the resident population"),
    "candidates": gettext_lazy("Panel adoptions against candidates"),
}
GROUP_LABELS = {
    "A": gettext_lazy("Asian, Asian British or Asian Welsh"),
    "B": gettext_lazy("Black, Black British, Black Welsh, Caribbean or African"),
    "M": gettext_lazy("Mixed or Multiple ethnic groups"),
    "W": gettext_lazy("White"),
    "O": gettext_lazy("Other ethnic group"),
    "NS": gettext_lazy("Not stated"),
    "NR": gettext_lazy("Not recorded"),
}
NOTE_LABELS = {
    "reference": gettext_lazy("Reference group"),
    "suppressed": gettext_lazy("Too few people to show a rate"),
    "reference_suppressed": gettext_lazy("Reference group too small to compare"),
    "none_selected": gettext_lazy("No ratio: no one selected"),
    "inconsistent": gettext_lazy("More selected than residents: check the population table"),
}


def group_label(dimension: str, group: str) -> str:
    if dimension == "ethnic_group":
        return str(GROUP_LABELS.get(group, group))
    if dimension == "ethnicity" and group in Ethnicity.values:
        return str(Ethnicity(group).label)
    if dimension == "sex" and group in Sex.values:
        return str(Sex(group).label)
    return str(GROUP_LABELS["NR"]) if group == "NR" else group


def count_text(row: dict[str, Any], measure: str, threshold: int) -> str:
    value = row[measure]
    if value is not None:
        return f"{value:,}"
    if row.get(f"{measure}_shown", "small") == "small":
        return _("fewer than %(n)s") % {"n": threshold}
    return _("withheld")


def display_row(row: dict[str, Any], threshold: int) -> dict[str, Any]:
    interval = ""
    if row["low"] is not None and row["high"] is not None:
        interval = _("%(low)s to %(high)s") % {"low": f"{row['low']:.2f}", "high": f"{row['high']:.2f}"}
    return {
        "dimension": str(DIMENSION_LABELS.get(row["dimension"], row["dimension"])),
        "comparison": row["comparison"],
        "group": group_label(row["dimension"], row["group"]),
        "selected": count_text(row, "selected", threshold),
        "base": count_text(row, "base", threshold),
        "rate": f"{100 * row['rate']:.1f}%" if row["rate"] is not None else "",
        "ratio": f"{row['ratio']:.2f}" if row["ratio"] is not None else "",
        "interval": interval,
        "note": str(NOTE_LABELS.get(row["note"], "")),
        "reference": group_label(row["dimension"], row["reference"]) if row["reference"] else "",
    }


def fairness_sections(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Per definition: a chart of the ethnic-group ratios among offenders, and every row as text."""
    found = summary.get("fairness")
    if not found:
        return []
    threshold = found["threshold"]
    sections = []
    for index, report in enumerate(found["definitions"]):
        rows = report["rows"]
        groups = [r for r in rows if r["comparison"] == "offenders" and r["dimension"] == "ethnic_group"]
        chart = ratio_chart(
            ident=f"fairness-{index}",
            title=_("Selection rate ratios by ethnic group among offenders: %(title)s")
            % {"title": report["title"]},
            description=_(
                "Each group's selection rate over the reference group's, on a log scale, with its 95%% interval. "
                "The same numbers are in the table below."
            ),
            rows=[
                (
                    group_label("ethnic_group", r["group"]),
                    r["ratio"],
                    r["low"],
                    r["high"],
                    f"{r['ratio']:.2f}" if r["ratio"] is not None else str(NOTE_LABELS.get(r["note"], "")),
                )
                for r in groups
            ],
        )
        tables = []
        for comparison in COMPARISON_LABELS:
            chosen = [display_row(r, threshold) for r in rows if r["comparison"] == comparison]
            if chosen:
                tables.append({"caption": str(COMPARISON_LABELS[comparison]), "rows": chosen})
        sections.append(
            {
                "label": report["definition"],
                "title": report["title"],
                "chart": chart,
                "tables": tables,
                "selected": count_text(report, "selected", threshold),
                "offenders": count_text(report, "offenders", threshold),
                "selected_offenders": count_text(report, "selected_offenders", threshold),
            }
        )
    return sections


OVERVIEW_GROUPS = ("A", "B", "M", "O", "W")


def fairness_overview(summary: dict[str, Any]) -> dict[str, Any] | None:
    """Every definition side by side: the ratio (and interval) of each high-level ethnic group among
    offenders, or why there is none."""
    found = summary.get("fairness")
    if not found or not found["definitions"]:
        return None
    rows = []
    for report in found["definitions"]:
        cells = {
            r["group"]: r
            for r in report["rows"]
            if r["comparison"] == "offenders" and r["dimension"] == "ethnic_group"
        }
        shown = []
        for group in OVERVIEW_GROUPS:
            row = cells.get(group)
            if row is None:
                shown.append("—")
            elif row["note"] == "reference":
                shown.append(_("1 (reference)"))
            elif row["ratio"] is not None and row["low"] is not None and row["high"] is not None:
                shown.append(f"{row['ratio']:.2f} ({row['low']:.2f}–{row['high']:.2f})")
            else:
                shown.append(str(NOTE_LABELS.get(row["note"], "—")))
        rows.append({"title": report["title"], "cells": shown})
    return {"groups": [GROUP_LABELS[g] for g in OVERVIEW_GROUPS], "rows": rows}
