"""The evaluation report: a self-contained HTML file (with the love plot as inline SVG and the same numbers
in a table) rendered from `report_template.html`, the same document as PDF through WeasyPrint, and
`results.json` with every number, the inputs' hashes, package versions, reference data version and seed.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from string import Template
from typing import Any

from openiom.evaluation.balance import SMD_AMBER, SMD_WARNING, BalanceRow
from openiom.evaluation.costs import money

TEMPLATE = Path(__file__).with_name("report_template.html")


def love_plot_svg(before: list[BalanceRow], after: list[BalanceRow]) -> str:
    """Absolute SMD before (open circles) and after (filled) matching, with the 0.1 line; SVG text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r.variable for r in before]
    y = list(range(len(names)))[::-1]
    with matplotlib.rc_context({"svg.hashsalt": "openiom-love-plot", "svg.fonttype": "none"}):
        fig, ax = plt.subplots(figsize=(7, 0.3 * len(names) + 1.2))
        ax.scatter(
            [abs(r.smd) for r in before], y, facecolors="none", edgecolors="#d4351c", label="Before matching"
        )
        ax.scatter([abs(r.smd) for r in after], y, color="#1d70b8", label="After matching")
        ax.axvline(SMD_WARNING, color="#505a5f", linestyle="--", linewidth=1)
        ax.axvline(SMD_AMBER, color="#b1b4b6", linestyle=":", linewidth=1)
        ax.set_yticks(y, names)
        ax.set_xlabel("Absolute standardised mean difference")
        ax.legend(loc="lower right", frameon=False)
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    title = "Love plot: absolute standardised mean differences before and after matching"
    svg = re.sub(r"<svg ", '<svg role="img" aria-labelledby="love-plot-title" ', svg, count=1)
    return re.sub(r"(<svg[^>]*>)", rf'\1<title id="love-plot-title">{title}</title>', svg, count=1)


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return escape(str(value))


def _table(caption: str, headers: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{classes[i]}"' if classes and classes[i] else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    return f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _paragraphs(lines: list[str], css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return "".join(f"<p{cls}>{escape(line)}</p>" for line in lines)


def _balance_section(results: dict[str, Any]) -> str:
    before = {r["variable"]: r for r in results["balance"]["before"]}
    rows, classes = [], []
    for r in results["balance"]["after"]:
        b = before[r["variable"]]
        smd = r["smd"] if r["smd"] is not None else 0.0
        classes.append("bad" if abs(smd) > SMD_WARNING else "warn" if abs(smd) > SMD_AMBER else "")
        rows.append(
            [
                escape(r["variable"]),
                _fmt(b["mean_treated"]),
                _fmt(b["mean_control"]),
                _fmt(b["smd"]),
                _fmt(r["mean_control"]),
                _fmt(r["smd"]),
                _fmt(b["variance_ratio"], 2),
                _fmt(r["variance_ratio"], 2),
                _fmt(b["ecdf_mean"]),
                _fmt(r["ecdf_mean"]),
                _fmt(b["ecdf_max"]),
                _fmt(r["ecdf_max"]),
            ]
        )
    headers = [
        "Variable",
        "Mean treated",
        "Mean comparison (before)",
        "SMD before",
        "Mean comparison (after)",
        "SMD after",
        "Var. ratio before",
        "Var. ratio after",
        "eCDF mean before",
        "eCDF mean after",
        "eCDF max before",
        "eCDF max after",
    ]
    return _table("Balance before and after matching (the numbers in the love plot)", headers, rows, classes)


def _outcome_section(results: dict[str, Any]) -> str:
    rows, texts = [], []
    for key, item in results["outcomes"].items():
        est = item["estimate"]
        extra = []
        for name, title in (("regression_adjusted", "Regression-adjusted (doubly robust)"), ("aipw", "AIPW")):
            other = item.get(name)
            if other:
                extra.append(
                    f"{title}: {_fmt(other['difference'] * (100.0 if item['kind'] in ('rate', 'count') else 1.0), 1)} "
                    f"({other['ci_low'] * (100.0 if item['kind'] in ('rate', 'count') else 1.0):.1f} to "
                    f"{other['ci_high'] * (100.0 if item['kind'] in ('rate', 'count') else 1.0):.1f}; {other['se_method']})."
                )
        source = results.get("case_outcomes", {}).get(key)
        if source:
            extra.insert(
                0,
                f"From the case records: yes when {source['event']}, within {source['within_months']} months "
                f"of the index date; only {source['population']} have a value.",
            )
        texts.append(
            f"<h3>{escape(item['label'])}</h3><p>{escape(item['plain_language'])}</p>"
            + _paragraphs(extra + list(item.get("sensitivity", [])), "small")
        )
        if est is None:
            rows.append([escape(item["label"]), "–", "–", "–", "–", "–", "too few"])
            continue
        scale = 100.0 if item["kind"] in ("rate", "count") else 1.0
        verdict = "significant" if est["conclusive"] else "inconclusive"
        rows.append(
            [
                escape(item["label"]) + (" (per 100 people)" if scale == 100 else ""),
                _fmt(est["treated_mean"] * scale, 1),
                _fmt(est["control_mean"] * scale, 1),
                _fmt(est["difference"] * scale, 1),
                f"{_fmt(est['ci_low'] * scale, 1)} to {_fmt(est['ci_high'] * scale, 1)}",
                f"{est['n_treated']:,} / {est['n_control']:,}",
                verdict,
            ]
        )
        del key
    table = _table(
        "Effects (treatment − comparison)",
        [
            "Outcome",
            "Treatment",
            "Comparison",
            "Difference",
            "95% CI",
            "People (treated / comparison)",
            "Result",
        ],
        rows,
    )
    explain = "".join(
        f"<li><strong>{escape(name.replace('_', ' '))}</strong>: {escape(text)}.</li>"
        for name, text in results.get("estimators", {}).items()
    )
    return table + (f"<p>Estimates shown:</p><ul>{explain}</ul>" if explain else "") + "".join(texts)


def _cost_section(results: dict[str, Any]) -> str:
    cba = results.get("cost_benefit")
    if not cba:
        return "<p>Cost of crime was not among the outcomes.</p>"
    rows = []
    for r in cba["by_category"]:
        ci = r["difference_ci_per_100"]
        rows.append(
            [
                escape(r["cost_category"]),
                _fmt(r["treated_per_100"], 1),
                _fmt(r["comparison_per_100"], 1),
                f"{_fmt(r['difference_per_100'], 1)} ({_fmt(ci[0], 1)} to {_fmt(ci[1], 1)})",
                "not costed" if r["unit_cost"] is None else money(r["unit_cost"]),
                "–"
                if r["avoided_per_person"] is None
                else f"{money(r['avoided_per_person'])} ({money(r['avoided_ci'][0])} to {money(r['avoided_ci'][1])})",
            ]
        )
    table = _table(
        "Reoffences and cost of crime avoided, by Home Office cost category",
        [
            "Cost category",
            "Treatment per 100",
            "Comparison per 100",
            "Difference per 100 (95% CI)",
            "Unit cost",
            "Avoided per person (95% CI)",
        ],
        rows,
    )
    return _paragraphs(cba["plain_language"], "callout") + table


def _subgroup_section(results: dict[str, Any]) -> str:
    rows = []
    for entry in results["subgroups"]:
        if "refused" in entry:
            rows.append(
                [
                    escape(entry["family"]),
                    escape(entry["level"]),
                    _fmt(entry["n_treated"]),
                    escape(entry["refused"]),
                    "–",
                    "–",
                    "–",
                ]
            )
            continue
        est = entry["estimates"].get("proven_reoffending")
        if est is None:
            continue
        verdict = "significant" if est["conclusive"] else "inconclusive"
        rows.append(
            [
                escape(entry["family"]),
                escape(entry["level"]),
                _fmt(entry["n_treated"]),
                f"{est['treated_mean'] * 100:.1f} vs {est['control_mean'] * 100:.1f} per 100 ({verdict})",
                f"{est['ci_low'] * 100:.1f} to {est['ci_high'] * 100:.1f}",
                f"{est['bonferroni_ci'][0] * 100:.1f} to {est['bonferroni_ci'][1] * 100:.1f}",
                _fmt(entry["max_abs_smd"]),
            ]
        )
    intro = (
        "<p>Proven reoffending by subgroup of the treated people, each against their own matched comparison "
        "people. The adjusted interval allows for the number of subgroups tested (Bonferroni); subgroups "
        "below the minimum size are not estimated.</p>"
    )
    return intro + _table(
        "Proven reoffending by subgroup (percentage points)",
        ["Family", "Subgroup", "Treated", "Reoffending", "95% CI of difference", "Adjusted CI", "Max |SMD|"],
        rows,
    )


def _heterogeneity_section(results: dict[str, Any]) -> str:
    het = results.get("heterogeneity")
    if not het:
        return ""
    rows = [
        [escape(g["rule"]), _fmt(g["n_treated"]), f"{g['mean_effect'] * 100:+.1f}"] for g in het["groups"]
    ]
    return (
        f'<h3>Exploratory heterogeneous-effect model</h3><p class="warning">{escape(het["label"])}.</p>'
        f"<p>A T-learner (gradient boosting per group) estimates each treated person's effect on proven "
        f"reoffending; a shallow tree groups them. Mean {het['mean_effect'] * 100:+.1f} percentage points.</p>"
        + _table("Groups found by the exploratory model", ["Group", "Treated", "Mean effect (pp)"], rows)
    )


TIE_WORDING = {
    "share": "equally near comparison people share the weight",
    "random": "ties between equally near comparison people drawn at random (seeded)",
    "data": "ties between equally near comparison people broken by data order (as MatchIt)",
}


def matching_description(m: dict[str, Any]) -> str:
    """One line saying how matching was done; the processing order only where it changes the result."""
    order = "order does not matter with replacement" if m["replace"] else f"{m['order']} first"
    caliper = (
        f"{m['caliper']} SD of the logit propensity score ({m['caliper_width_logit']:.4f})"
        if m["caliper"]
        else "none"
    )
    exact = f", exact on {', '.join(m['exact'])}" if m["exact"] else ""
    ties = TIE_WORDING[m.get("ties", "data")]
    return (
        f"1:{m['ratio']} nearest neighbour {'with' if m['replace'] else 'without'} replacement, {order}, "
        f"caliper {caliper}{exact}; {ties}"
    )


def _cohort_section(results: dict[str, Any]) -> str:
    d, m = results["data"], results["matching"]
    s = m["sample_sizes"]
    window = d["comparison_window"]
    pool = ", ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in d["pool"].items())
    rows = [
        ["People in the extract", _fmt(d["people"])],
        ["Offending events", _fmt(d["events"])],
        ["Data end date", escape(str(d["data_end"]))],
        ["Treated people listed", _fmt(d["treated_listed"])],
        ["Treated with complete follow-up", _fmt(d["treated_follow_up_complete"])],
        ["Comparison index window", escape(f"{window[0]} to {window[1]}") if window else "supplied pool"],
        ["Comparison pool", escape(pool)],
        ["Matched treated / comparison", f"{s['treated_matched']:,} / {s['control_matched']:,}"],
        ["Effective sample size treated / comparison", f"{s['treated_ess']:,.1f} / {s['control_ess']:,.1f}"],
        ["Matching", escape(matching_description(m))],
        ["Standard errors", escape(m["se_method"])],
    ]
    return _table("The treatment and comparison groups", ["", ""], rows)


def _method_section(results: dict[str, Any]) -> str:
    files = [
        [escape(k), escape(v["file"]), f"<code>{v['sha256']}</code>", _fmt(v["bytes"])]
        for k, v in results["inputs"]["files"].items()
    ]
    versions = ", ".join(f"{k} {v}" for k, v in results["versions"].items())
    return (
        "<p>Propensity scores from a logistic regression (maximum likelihood) of treatment on the covariates; "
        "greedy nearest-neighbour matching on the logit of the score following R MatchIt; effects as weighted "
        "differences in means with robust standard errors. See docs/evaluation.md.</p>"
        + _table("Input files", ["Input", "File", "SHA-256", "Bytes"], files)
        + f'<p class="small">Reference data {escape(results["inputs"]["reference_data"]["version"])} '
        f"(<code>{results['inputs']['reference_data']['sha256']}</code>). Versions: {escape(versions)}. "
        f"Seed {results['seed']}. Re-running <code>iom evaluate</code> with the same files and configuration "
        f"reproduces results.json exactly.</p>"
    )


def render_html(results: dict[str, Any], love_svg: str, generated: datetime | None = None) -> str:
    generated = generated or datetime.now(UTC)
    headline_text = results.get("headline") or results["outcomes"]["proven_reoffending"]["plain_language"]
    comparable = results.get("comparability", {}).get("comparable", True)
    warnings = results["warnings"]
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        title=escape(results["title"]),
        generated=escape(generated.strftime("%d %B %Y %H:%M UTC")),
        openiom_version=escape(results["versions"].get("openiom", "")),
        reference_version=escape(results["inputs"]["reference_data"]["version"]),
        seed=results["seed"],
        headline=f'<p class="{"warning" if not comparable else "callout"}">{escape(headline_text)}</p>',
        warnings=(
            '<div class="warning"><p><strong>Warnings</strong></p><ul>'
            + "".join(f"<li>{escape(w)}</li>" for w in warnings)
            + "</ul></div>"
        )
        if warnings
        else "",
        cohort=_cohort_section(results),
        outcomes=_outcome_section(results),
        multiple=escape(results["multiple_comparisons_note"]),
        costs=_cost_section(results),
        subgroups=_subgroup_section(results),
        heterogeneity=_heterogeneity_section(results),
        love_plot=f"<figure>{love_svg}</figure>",
        balance=_balance_section(results),
        method=_method_section(results),
    )


def write_report(
    out_dir: Path, results: dict[str, Any], before: list[BalanceRow], after: list[BalanceRow]
) -> dict[str, Path]:
    """Write results.json, report.html and report.pdf into out_dir (created if needed)."""
    from weasyprint import HTML

    out_dir.mkdir(parents=True, exist_ok=True)
    html = render_html(results, love_plot_svg(before, after))
    paths = {"json": out_dir / "results.json", "html": out_dir / "report.html", "pdf": out_dir / "report.pdf"}
    pending = {key: path.with_name(path.name + ".partial") for key, path in paths.items()}
    pending["json"].write_text(
        json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    pending["html"].write_text(html, encoding="utf-8")
    HTML(string=html, base_url=str(out_dir)).write_pdf(pending["pdf"])
    for key, path in pending.items():
        path.replace(paths[key])
    return paths
