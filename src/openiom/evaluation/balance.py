"""Covariate balance before and after matching, as R MatchIt's `summary()` computes it (ATT).

- Standardised mean difference: (weighted mean treated − weighted mean control) / SD of the treated
  group in the *full, unmatched* sample, the same denominator before and after matching. For a binary
  variable the SD is sqrt(p(1 − p)) with p the treated proportion; otherwise the sample SD (n − 1).
- Variance ratio (continuous variables only): weighted variance treated / weighted variance control,
  with the unbiased weighted variance Σw(x − m)² / (Σw − Σw²/Σw).
- eCDF mean and max: mean and maximum absolute difference between the weighted empirical CDFs,
  evaluated at every distinct value; for a binary variable both equal the difference in proportions.

No hypothesis tests: balance is a property of the sample, not of a population (MatchIt, cobalt).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SMD_WARNING = 0.1
SMD_AMBER = 0.05


@dataclass(frozen=True)
class BalanceRow:
    variable: str
    binary: bool
    mean_treated: float
    mean_control: float
    smd: float
    variance_ratio: float | None
    ecdf_mean: float
    ecdf_max: float

    def as_dict(self) -> dict[str, object]:
        return {
            "variable": self.variable,
            "binary": self.binary,
            "mean_treated": self.mean_treated,
            "mean_control": self.mean_control,
            "smd": self.smd,
            "variance_ratio": self.variance_ratio,
            "ecdf_mean": self.ecdf_mean,
            "ecdf_max": self.ecdf_max,
        }


def is_binary(values: np.ndarray) -> bool:
    return bool(np.isin(values, (0.0, 1.0)).all())


def weighted_variance(x: np.ndarray, w: np.ndarray) -> float:
    total = w.sum()
    denom = total - (w**2).sum() / total
    if total <= 0 or denom <= 0:
        return float("nan")
    mean = (w * x).sum() / total
    return float((w * (x - mean) ** 2).sum() / denom)


def ecdf_differences(x: np.ndarray, treat: np.ndarray, w: np.ndarray) -> np.ndarray:
    """|F_treated − F_control| at each distinct value of x (weighted eCDFs)."""
    order = np.argsort(x, kind="stable")
    xs, ts, ws = x[order], treat[order], w[order]
    wt = np.where(ts == 1, ws, 0.0)
    wc = np.where(ts == 0, ws, 0.0)
    ft = np.cumsum(wt) / wt.sum()
    fc = np.cumsum(wc) / wc.sum()
    last_of_value = np.append(xs[1:] != xs[:-1], True)
    gaps: np.ndarray = np.abs(ft - fc)[last_of_value]
    return gaps


def treated_sd(x: np.ndarray, treat: np.ndarray, binary: bool) -> float:
    xt = x[treat == 1]
    if binary:
        p = xt.mean()
        return float(np.sqrt(p * (1 - p)))
    return float(np.std(xt, ddof=1))


def balance_row(
    name: str, x: np.ndarray, treat: np.ndarray, w: np.ndarray, sd_denominator: float, binary: bool
) -> BalanceRow:
    keep = w > 0
    x, treat, w = x[keep], treat[keep], w[keep]
    t, c = treat == 1, treat == 0
    mt = float(np.average(x[t], weights=w[t]))
    mc = float(np.average(x[c], weights=w[c]))
    # Rounding leaves a constant column's mean or variance a hair off its true value.
    tiny = 1e-9 * max(1.0, float(np.abs(x).max(initial=0.0)))
    diff = mt - mc if abs(mt - mc) > tiny else 0.0
    smd = diff / sd_denominator if sd_denominator > tiny else (0.0 if diff == 0 else float("inf"))
    if binary:
        vr = None
        e_mean = e_max = abs(diff)
    else:
        vt, vc = weighted_variance(x[t], w[t]), weighted_variance(x[c], w[c])
        # Both groups constant (a distance with no covariates, say): the spreads are equal, not apart.
        vr = vt / vc if vc > tiny**2 else (1.0 if vt <= tiny**2 else float("inf"))
        ed = ecdf_differences(x, treat, w)
        e_mean, e_max = float(ed.mean()), float(ed.max())
    return BalanceRow(name, binary, mt, mc, float(smd), vr, e_mean, e_max)


def balance_table(
    covariates: pd.DataFrame,
    treat: np.ndarray,
    weights: np.ndarray | None = None,
    denominators: dict[str, float] | None = None,
) -> list[BalanceRow]:
    """Balance of every column; `weights=None` gives the unmatched (before) table.

    `denominators` (SMD denominators by column) lets a subgroup be judged on the whole sample's scale.
    """
    treat = np.asarray(treat).astype(int)
    w = np.ones(len(treat)) if weights is None else np.asarray(weights, dtype=float)
    rows = []
    for name in covariates.columns:
        x = covariates[name].to_numpy(dtype=float)
        binary = is_binary(x)
        sd = denominators[str(name)] if denominators else treated_sd(x, treat, binary)
        rows.append(balance_row(str(name), x, treat, w, sd, binary))
    return rows


def smd_denominators(covariates: pd.DataFrame, treat: np.ndarray) -> dict[str, float]:
    treat = np.asarray(treat).astype(int)
    out = {}
    for name in covariates.columns:
        x = covariates[name].to_numpy(dtype=float)
        out[str(name)] = treated_sd(x, treat, is_binary(x))
    return out


def balance_warnings(after: list[BalanceRow], threshold: float = SMD_WARNING) -> list[str]:
    return [
        f"{row.variable}: standardised mean difference {row.smd:+.3f} after matching exceeds ±{threshold}"
        for row in after
        if abs(row.smd) > threshold
    ]


def comparability_problems(
    after: list[BalanceRow],
    *,
    max_abs_smd: float = SMD_WARNING,
    variance_ratio: tuple[float, float] = (0.5, 2.0),
    control_ess: float | None = None,
    min_ess: float | None = None,
) -> list[str]:
    """Why the matched groups cannot be called alike: each covariate with |SMD| above the limit or a
    variance ratio outside the range, and a comparison group whose effective size is below `min_ess`."""
    problems = []
    low, high = variance_ratio
    for row in after:
        reasons = []
        if not np.isfinite(row.smd) or abs(row.smd) > max_abs_smd:
            reasons.append(f"standardised difference {row.smd:+.2f}")
        vr = row.variance_ratio
        if vr is not None and (not np.isfinite(vr) or not low <= vr <= high):
            reasons.append(f"variance ratio {vr:.2f}")
        if reasons:
            problems.append(f"{row.variable} ({', '.join(reasons)})")
    if control_ess is not None and min_ess is not None and control_ess < min_ess:
        problems.append(
            f"the comparison group's effective size ({control_ess:.0f}, below {min_ess:g}: a few comparison "
            f"people carry most of the weight)"
        )
    return problems


def not_comparable_sentence(problems: list[str]) -> str:
    return (
        f"The groups are not comparable on {'; '.join(problems)}. The results below may reflect these "
        f"differences rather than the programme."
    )
