"""The headline of an evaluation's results.json for the web page: plain-language sentences, the effects
table, a balance summary with the love plot's numbers, and cost-benefit. Pure: no database, no Django."""

from __future__ import annotations

from typing import Any

from openiom.evaluation.balance import SMD_AMBER, SMD_WARNING


def _scaled(value: float | None, scale: float) -> float | None:
    return None if value is None else value * scale


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    """A JSON-ready summary. Rates and counts are per 100 people, as in the report."""
    outcomes = []
    for key, item in results["outcomes"].items():
        est = item.get("estimate")
        scale = 100.0 if item.get("kind") in ("rate", "count") else 1.0
        row: dict[str, Any] = {
            "key": key,
            "label": item["label"],
            "per_100": scale == 100.0,
            "plain_language": item["plain_language"],
            "estimated": est is not None,
        }
        if est is not None:
            row.update(
                treated=_scaled(est["treated_mean"], scale),
                comparison=_scaled(est["control_mean"], scale),
                difference=_scaled(est["difference"], scale),
                ci_low=_scaled(est["ci_low"], scale),
                ci_high=_scaled(est["ci_high"], scale),
                n_treated=est["n_treated"],
                n_comparison=est["n_control"],
                conclusive=est["conclusive"],
            )
            adjusted = item.get("regression_adjusted")
            if adjusted:
                row.update(
                    adjusted_difference=_scaled(adjusted["difference"], scale),
                    adjusted_ci_low=_scaled(adjusted["ci_low"], scale),
                    adjusted_ci_high=_scaled(adjusted["ci_high"], scale),
                    adjusted_conclusive=adjusted["conclusive"],
                )
            aipw = item.get("aipw")
            if aipw:
                row.update(
                    aipw_difference=_scaled(aipw["difference"], scale),
                    aipw_ci_low=_scaled(aipw["ci_low"], scale),
                    aipw_ci_high=_scaled(aipw["ci_high"], scale),
                )
            row["sensitivity"] = item.get("sensitivity", [])
        outcomes.append(row)

    before = {r["variable"]: r for r in results["balance"]["before"]}
    gate = results.get("comparability", {})
    low, high = gate.get("variance_ratio") or (0.5, 2.0)
    # The configured gate (balance.max_abs_smd), so the page flags what the headline's verdict counts.
    threshold = gate.get("max_abs_smd") or SMD_WARNING
    amber = min(SMD_AMBER, threshold / 2)
    balance_rows = []
    for row in results["balance"]["after"]:
        after = row["smd"]
        size = abs(after) if after is not None else None
        ratio = row.get("variance_ratio")
        balance_rows.append(
            {
                "variable": row["variable"],
                "smd_before": before.get(row["variable"], {}).get("smd"),
                "smd_after": after,
                "variance_ratio_before": before.get(row["variable"], {}).get("variance_ratio"),
                # Binary variables have no variance ratio (their variance follows from the mean).
                "variance_ratio_after": ratio,
                "variance_ratio_outside": ratio is not None and not low <= ratio <= high,
                "level": "poor"
                if size is not None and size > threshold
                else "fair"
                if size is not None and size > amber
                else "good",
            }
        )
    after_sizes = [abs(r["smd_after"]) for r in balance_rows if r["smd_after"] is not None]
    estimators = results.get("estimators", {})
    cba = results.get("cost_benefit")
    return {
        "title": results["title"],
        # When the groups are not alike the headline starts by saying so (pipeline.headline).
        "headline": results.get("headline") or results["outcomes"]["proven_reoffending"]["plain_language"],
        "comparable": results.get("comparability", {}).get("comparable", True),
        "not_comparable": results.get("comparability", {}).get("problems", []),
        "sample_sizes": results["matching"]["sample_sizes"],
        "outcomes": outcomes,
        "multiple_comparisons_note": results["multiple_comparisons_note"],
        # What each estimate adds, one sentence each (pipeline.EXPLAIN); the page names them.
        "estimators": [{"name": name, "explanation": text} for name, text in estimators.items()],
        "aipw": "aipw" in estimators,
        "balance": {
            "threshold": threshold,
            "amber": amber,
            "variance_ratio": [low, high],
            "variance_ratio_outside": [r["variable"] for r in balance_rows if r["variance_ratio_outside"]],
            "max_abs_smd_after": max(after_sizes) if after_sizes else None,
            "above_threshold": [r["variable"] for r in balance_rows if r["level"] == "poor"],
            "rows": balance_rows,
        },
        "cost_benefit": cba["plain_language"] if cba else [],
        "warnings": results["warnings"],
    }
