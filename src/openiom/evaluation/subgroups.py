"""Who benefits most: effects by subgroup, and an exploratory heterogeneous-effect model.

Subgroups are defined on the treated person (age band at the index date, index offence group, a supplied
need). Each subgroup keeps its treated people's own matched sets, with MatchIt weights recomputed, so a
subgroup estimate compares like with like. Every subgroup must meet the minimum cohort size; smaller ones
are reported as "too few to analyse", never estimated. Besides the 95 % interval each estimate carries a
Bonferroni-adjusted interval over all the subgroup comparisons in its family, because looking at many
subgroups makes some look significant by chance. Subgroup balance is checked too.

The heterogeneous-effect model is a T-learner (gradient boosting fitted separately to the matched treated
and comparison people) summarised by a shallow tree. It is exploratory: it has no valid confidence
intervals and must not be used to select people for the programme.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.tree import DecisionTreeRegressor

from openiom.evaluation.balance import balance_table, smd_denominators
from openiom.evaluation.effects import estimate
from openiom.evaluation.matching import MatchResult, restrict_to_treated

SUBGROUP_OUTCOMES = ("proven_reoffending", "reoffending_frequency")
AGE_BANDS = (
    (0, 18, "under 18"),
    (18, 25, "18 to 24"),
    (25, 35, "25 to 34"),
    (35, 50, "35 to 49"),
    (50, 200, "50 and over"),
)


def age_band(age: pd.Series) -> pd.Series:
    labels = pd.Series("", index=age.index, dtype=object)
    for low, high, label in AGE_BANDS:
        labels[(age >= low) & (age < high)] = label
    return labels


def subgroup_effects(
    families: dict[str, pd.Series],
    match: MatchResult,
    outcomes: pd.DataFrame,
    covariates: pd.DataFrame,
    treat: np.ndarray,
    min_size: int,
) -> list[dict[str, object]]:
    """`families` maps a family name to a label per unit (aligned with `treat`); results per level."""
    n = len(treat)
    matched_treated = match.matched_treated
    denominators = smd_denominators(covariates, treat)
    results: list[dict[str, object]] = []
    for family, labels in families.items():
        values = labels.to_numpy()
        levels = sorted({str(v) for v in values[matched_treated]})
        tested = [lv for lv in levels if int((values[matched_treated] == lv).sum()) >= min_size]
        comparisons = max(1, len(tested) * len(SUBGROUP_OUTCOMES))
        z_adj = float(stats.norm.ppf(1 - 0.05 / (2 * comparisons)))
        for level in levels:
            members = matched_treated[values[matched_treated] == level]
            entry: dict[str, object] = {"family": family, "level": level, "n_treated": len(members)}
            if len(members) < min_size:
                entry["refused"] = f"too few to analyse ({len(members)} treated; at least {min_size} needed)"
                results.append(entry)
                continue
            sub = restrict_to_treated(match, members, n)
            in_sample = sub.weights > 0
            bal = balance_table(covariates[in_sample], treat[in_sample], sub.weights[in_sample], denominators)
            entry["max_abs_smd"] = max((abs(r.smd) for r in bal if np.isfinite(r.smd)), default=0.0)
            entry["n_control"] = int((in_sample & (treat == 0)).sum())
            estimates = {}
            for key in SUBGROUP_OUTCOMES:
                est = estimate(key, outcomes[key].to_numpy(dtype=float), treat, sub.weights, sub.subclass)
                if est is None:
                    continue
                estimates[key] = {
                    **est.as_dict(),
                    "bonferroni_ci": [est.difference - z_adj * est.se, est.difference + z_adj * est.se],
                    "comparisons": comparisons,
                }
            entry["estimates"] = estimates
            results.append(entry)
    return results


def t_learner(
    features: pd.DataFrame,
    y: np.ndarray,
    treat: np.ndarray,
    weights: np.ndarray,
    seed: int,
    min_leaf: int,
) -> dict[str, object]:
    """Exploratory conditional effects for the matched treated people, summarised by a depth-2 tree."""
    keep = weights > 0
    x, y, t, w = features[keep], y[keep], treat[keep], weights[keep]
    models = {}
    for arm in (0, 1):
        model = HistGradientBoostingRegressor(max_iter=100, learning_rate=0.1, max_depth=3, random_state=seed)
        model.fit(x[t == arm], y[t == arm], sample_weight=w[t == arm])
        models[arm] = model
    xt = x[t == 1]
    cate = models[1].predict(xt) - models[0].predict(xt)
    tree = DecisionTreeRegressor(max_depth=2, min_samples_leaf=max(min_leaf, 1), random_state=seed)
    tree.fit(xt, cate)
    leaves = tree.apply(xt)
    rules = _leaf_rules(tree, list(features.columns))
    summary = [
        {
            "rule": rules[leaf],
            "n_treated": int((leaves == leaf).sum()),
            "mean_effect": float(cate[leaves == leaf].mean()),
        }
        for leaf in sorted(set(leaves.tolist()))
    ]
    summary.sort(key=lambda r: float(r["mean_effect"]))  # type: ignore[arg-type]  # set just above, a float
    return {
        "label": "EXPLORATORY: no confidence intervals; do not use to select people",
        "outcome": "proven_reoffending",
        "mean_effect": float(cate.mean()),
        "quartiles": [float(q) for q in np.quantile(cate, [0.25, 0.5, 0.75])],
        "groups": summary,
    }


def _leaf_rules(tree: DecisionTreeRegressor, names: list[str]) -> dict[int, str]:
    structure = tree.tree_
    rules: dict[int, str] = {}

    def walk(node: int, conditions: list[str]) -> None:
        if structure.children_left[node] == structure.children_right[node]:
            rules[node] = " and ".join(conditions) or "everyone"
            return
        name, threshold = names[structure.feature[node]], structure.threshold[node]
        walk(structure.children_left[node], [*conditions, f"{name} ≤ {threshold:.2f}"])
        walk(structure.children_right[node], [*conditions, f"{name} > {threshold:.2f}"])

    walk(0, [])
    return rules
