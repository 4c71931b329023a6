"""The quarterly performance report: the dashboard's figures as CSV, a standalone HTML document and
the same document as PDF (WeasyPrint). Pure: it takes computed figures, never the database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from openiom.performance.measures import (
    COMPARISON,
    DIMENSION_LABELS,
    MANAGED,
    MEASURE_LABELS,
    CohortMeasure,
    Interval,
    Measures,
)

STEPS = (
    "computing the figures",
    "case-quality indicators",
    "writing the CSV",
    "writing the HTML",
    "writing the PDF",
)
FILES = {"html": "performance-report.html", "pdf": "performance-report.pdf", "csv": "performance-figures.csv"}
BASIS_LABELS = {"count": "per person in the window", "liberty": "per person per 365 days at liberty"}


@dataclass(frozen=True)
class ReportHeader:
    scheme: str
    quarter: str
    as_of: date
    months: int
    generated_by: str


def _fmt(value: float | None, measure: str = "") -> str:
    if value is None:
        return ""
    if measure == "cost":
        return f"£{value:,.0f}"
    return f"{value:,.2f}"


def _interval(value: Interval | None, measure: str = "") -> str:
    if value is None:
        return "too few people"
    return f"{_fmt(value.estimate, measure)} ({_fmt(value.low, measure)} to {_fmt(value.high, measure)})"


def figure_rows(measures: Measures) -> list[dict[str, Any]]:
    """One row per measure, basis and group: what the CSV download and the report table hold."""
    rows = []
    for comparison in measures.comparisons:
        groups: list[tuple[str, CohortMeasure | None]] = [
            (MANAGED, comparison.managed),
            (COMPARISON, comparison.comparison),
        ]
        for group, figure in groups:
            if figure is None:
                continue
            rows.append(
                {
                    "measure": comparison.measure,
                    "basis": comparison.basis,
                    "group": group,
                    "people": figure.people,
                    "total_before": round(figure.total_before, 4),
                    "total_after": round(figure.total_after, 4),
                    "mean_before": round(figure.mean_before, 4),
                    "mean_after": round(figure.mean_after, 4),
                    "change": round(figure.change.estimate, 4) if figure.change else "",
                    "change_low": round(figure.change.low, 4) if figure.change else "",
                    "change_high": round(figure.change.high, 4) if figure.change else "",
                    "per_cent_change": round(figure.per_cent.estimate, 2) if figure.per_cent else "",
                    "did": round(comparison.did.estimate, 4) if comparison.did and group == MANAGED else "",
                    "did_low": round(comparison.did.low, 4) if comparison.did and group == MANAGED else "",
                    "did_high": round(comparison.did.high, 4) if comparison.did and group == MANAGED else "",
                }
            )
    return rows


def figures_csv(measures: Measures) -> str:
    rows = figure_rows(measures)
    out = io.StringIO()
    fields = list(rows[0]) if rows else ["measure"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _table(headers: list[str], rows: list[list[str]], caption: str) -> str:
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def report_html(header: ReportHeader, measures: Measures, quality: list[dict[str, Any]]) -> str:
    parts = [
        f"<h1>IOM performance: {escape(header.scheme)}, {escape(header.quarter)}</h1>",
        f"<p>Figures as at {header.as_of:%d %B %Y}, {header.months}-month windows before and after adoption. "
        f"Produced by {escape(header.generated_by)}. Synthetic or real, these are aggregates: no person is named.</p>",
        "<h2>Before and after, beside the comparison group</h2>",
    ]
    for comparison in measures.comparisons:
        if comparison.basis != "count":
            continue
        parts.append(
            f"<p><strong>{escape(MEASURE_LABELS[comparison.measure])}.</strong> {escape(comparison.sentence)}</p>"
        )
    for basis, basis_label in BASIS_LABELS.items():
        rows = []
        for comparison in measures.comparisons:
            if comparison.basis != basis:
                continue
            for group, figure in ((MANAGED, comparison.managed), (COMPARISON, comparison.comparison)):
                if figure is None:
                    continue
                rows.append(
                    [
                        MEASURE_LABELS[comparison.measure],
                        "Managed" if group == MANAGED else "Comparison",
                        str(figure.people),
                        _fmt(figure.mean_before, comparison.measure),
                        _fmt(figure.mean_after, comparison.measure),
                        _interval(figure.change, comparison.measure),
                        _interval(figure.per_cent),
                        _interval(comparison.did, comparison.measure) if group == MANAGED else "",
                    ]
                )
        parts.append(
            _table(
                [
                    "Measure",
                    "Group",
                    "People",
                    "Mean before",
                    "Mean after",
                    "Change (95% interval)",
                    "Per cent change",
                    "Difference-in-differences",
                ],
                rows,
                f"Means {basis_label}",
            )
        )
    for dimension, groups in measures.breakdowns.items():
        rows = [
            [value, str(figures[0].people)]
            + [f"{_fmt(f.mean_before, f.measure)} → {_fmt(f.mean_after, f.measure)}" for f in figures]
            for value, figures in groups
        ]
        parts.append(
            _table(
                [DIMENSION_LABELS[dimension], "People", *(MEASURE_LABELS[m] for m in MEASURE_LABELS)],
                rows,
                f"Managed people by {DIMENSION_LABELS[dimension].lower()}: mean before → after",
            )
        )
    if quality:
        parts.append("<h2>Case quality</h2>")
        parts.append(
            _table(
                ["Indicator", "Numerator", "Denominator", "Rate", "Rating"],
                [
                    [q["title"], str(q["numerator"]), str(q["denominator"]), q["rate"], q["rag"]]
                    for q in quality
                ],
                "Case-quality indicators (definitions in docs/performance.md)",
            )
        )
    notes = measures.diagnostics.notes()
    if notes:
        parts.append(
            "<h2>What is left out, and why</h2><ul>"
            + "".join(f"<li>{escape(n)}</li>" for n in notes)
            + "</ul>"
        )
    style = (
        "body{font-family:Arial,sans-serif;margin:2em;color:#0b0c0c}table{border-collapse:collapse;margin:1em 0;"
        "width:100%}caption{text-align:left;font-weight:bold;margin-bottom:.5em}th,td{border-bottom:1px solid "
        "#b1b4b6;padding:.3em;text-align:left;font-size:12px}"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>IOM performance {escape(header.scheme)} {escape(header.quarter)}</title><style>{style}</style>"
        f"</head><body>{''.join(parts)}</body></html>"
    )


def write_report(
    out_dir: Path,
    header: ReportHeader,
    measures: Measures,
    quality: list[dict[str, Any]],
    progress: Callable[[str], None] = lambda step: None,
) -> dict[str, Path]:
    """Write the CSV, HTML and PDF into out_dir, each under a temporary name first, so a failure never
    leaves a plausible half report."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {kind: out_dir / name for kind, name in FILES.items()}
    pending = {kind: path.with_name(path.name + ".partial") for kind, path in paths.items()}
    progress("writing the CSV")
    pending["csv"].write_text(figures_csv(measures), encoding="utf-8")
    progress("writing the HTML")
    html = report_html(header, measures, quality)
    pending["html"].write_text(html, encoding="utf-8")
    progress("writing the PDF")
    from weasyprint import HTML

    HTML(string=html, base_url=str(out_dir)).write_pdf(pending["pdf"])
    for kind, path in pending.items():
        path.replace(paths[kind])
    return paths
