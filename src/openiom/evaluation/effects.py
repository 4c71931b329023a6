"""Treatment effects in the matched sample, and how to say them in plain language.

The estimate is the weighted difference in means (treated − comparison), i.e. the coefficient of a
weighted least-squares regression of the outcome on treatment, which is what MatchIt's vignette does
with `lm(..., weights = weights)` and g-computation. Standard errors are cluster-robust by matched set
when matching was without replacement (each treated person and their controls form a cluster), and
heteroskedasticity-robust (HC3) with replacement, where a control can sit in several sets. Intervals
are 95 % normal intervals.

Plain language follows the Justice Data Lab: results per 100 typical people, the interval as a range of
the difference, and "inconclusive" — never "no effect" — when the interval includes zero.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from openiom.evaluation.outcomes import OutcomeSpec, outcome_spec

Z95 = float(stats.norm.ppf(0.975))


class CohortTooSmall(ValueError):
    """Fewer people than the minimum cohort size: the analysis is refused, with the reason."""


@dataclass(frozen=True)
class Estimate:
    outcome: str
    n_treated: int
    n_control: int
    treated_mean: float
    control_mean: float
    difference: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    se_method: str

    @property
    def conclusive(self) -> bool:
        return self.ci_low > 0 or self.ci_high < 0

    @property
    def no_variation(self) -> bool:
        """Every person in the sample had the same value: there is nothing to be uncertain about."""
        return self.se == 0 and self.difference == 0

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "conclusive": self.conclusive, "no_variation": self.no_variation}


def require_cohort(n_treated: int, minimum: int, what: str = "the treatment group") -> None:
    if n_treated < minimum:
        raise CohortTooSmall(
            f"{what} has {n_treated} people who could be analysed; at least {minimum} are needed for a "
            f"reliable result (Justice Data Lab minimum). Nothing was estimated. Add more people, widen the "
            f"comparison window, or relax the matching options."
        )


def estimate(
    outcome: str,
    y: np.ndarray,
    treat: np.ndarray,
    weights: np.ndarray,
    clusters: np.ndarray | None,
    cluster_label: str = "matched set",
) -> Estimate | None:
    """Weighted difference in means with a robust 95 % interval; None when it cannot be estimated.

    `cluster_label` names what `clusters` groups (it goes into the standard error's label)."""
    keep = (weights > 0) & ~np.isnan(y)
    y, treat, weights = y[keep], treat[keep].astype(float), weights[keep]
    n_t, n_c = int((treat == 1).sum()), int((treat == 0).sum())
    if n_t < 2 or n_c < 2:
        return None
    tm = float(np.average(y[treat == 1], weights=weights[treat == 1]))
    cm = float(np.average(y[treat == 0], weights=weights[treat == 0]))
    if np.all(y == y[0]):
        # statsmodels would give a 0/0 standard error; the honest answer is "no difference" with certainty.
        return Estimate(outcome, n_t, n_c, tm, cm, 0.0, 0.0, 0.0, 0.0, 1.0, "none needed (no variation)")
    x = np.column_stack([np.ones(len(y)), treat])
    import statsmodels.api as sm  # seconds to import: only when an effect is estimated

    model = sm.WLS(y, x, weights=weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if clusters is not None:
            groups = clusters[keep]
            if len(np.unique(groups)) < 2:
                return None
            fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
            method = f"cluster-robust (CR1), clustered by {cluster_label}"
        else:
            fit = model.fit(cov_type="HC3")
            method = "heteroskedasticity-robust (HC3), not clustered"
    diff = float(fit.params[1])
    se = float(fit.bse[1])
    if not math.isfinite(se):
        return None
    if se == 0:
        p = 1.0 if diff == 0 else 0.0
    else:
        p = float(2 * stats.norm.sf(abs(diff / se)))
    return Estimate(outcome, n_t, n_c, tm, cm, diff, se, diff - Z95 * se, diff + Z95 * se, p, method)


def _num(value: float, digits: int = 0) -> str:
    return f"{abs(value):,.{digits}f}"


def _same_outcome(est: Estimate, spec: OutcomeSpec) -> str:
    if spec.kind == "rate":
        value = f"{'everyone' if est.treated_mean == 1 else 'nobody'} {spec.phrase or f'had {spec.label}'}"
    else:
        value = f"{spec.label} was {_num(est.treated_mean, 2)} for everyone"
    return (
        f"No difference: every person had the same outcome ({value}, in both the treatment and the "
        f"comparison group)."
    )


def plain_language(est: Estimate, spec: OutcomeSpec | None = None) -> str:
    """A Justice Data Lab style sentence for one estimate; `spec` describes a supplied outcome."""
    spec = spec or outcome_spec(est.outcome)
    if est.no_variation:
        return _same_outcome(est, spec)
    lo, hi = est.ci_low, est.ci_high
    higher, lower = "more", "fewer"
    if spec.kind in ("rate", "count"):
        scale, unit = 100.0, "percentage points" if spec.kind == "rate" else f"{spec.unit} per 100 people"
        if spec.kind == "rate":
            phrase = spec.phrase or f"had the outcome '{spec.label}'"
            lead = (
                f"For 100 typical people in the treatment group, {_num(est.treated_mean * 100)} "
                f"{phrase} ({est.treated_mean:.0%}), compared with {_num(est.control_mean * 100)} for 100 "
                f"similar people in the comparison group ({est.control_mean:.0%})."
            )
            higher, lower = "higher", "lower"
        else:
            lead = (
                f"For 100 typical people in the treatment group, there were {_num(est.treated_mean * 100)} "
                f"{spec.unit} within a year, compared with {_num(est.control_mean * 100)} for 100 similar "
                f"people in the comparison group."
            )
        digits = 0
    elif spec.kind == "days":
        scale, unit, digits = 1.0, "days", 0
        lead = (
            f"Among those who reoffended, the first proven reoffence came on average {_num(est.treated_mean)} "
            f"days after the index date in the treatment group, compared with {_num(est.control_mean)} days "
            f"in the comparison group."
        )
    elif spec.kind == "gbp":
        scale, unit, digits = 1.0, "pounds per person", 0
        lead = (
            f"The reoffences of the treatment group cost on average £{_num(est.treated_mean)} per person "
            f"in the year (offences with a unit cost only), compared with £{_num(est.control_mean)} per person "
            f"in the comparison group."
        )
    elif spec.kind == "score":
        scale, unit, digits = 1.0, "severity points per person", 0
        lead = (
            f"The reoffences of the treatment group scored on average {_num(est.treated_mean)} Crime Severity "
            f"points per person, compared with {_num(est.control_mean)} in the comparison group."
        )
    else:
        scale, digits = 1.0, 2
        unit = f"{spec.unit} per person".strip() if spec.unit else "per person"
        lead = (
            f"{spec.label}: the treatment group averaged {_num(est.treated_mean, 2)}"
            f"{' ' + spec.unit if spec.unit else ''} per person, compared with {_num(est.control_mean, 2)} in the comparison group."
        )
        higher, lower = "higher", "lower"
    a, b = lo * scale, hi * scale
    if est.conclusive:
        direction = "reduction" if hi < 0 else "increase"
        if spec.kind == "days":
            direction = "shorter time" if hi < 0 else "longer time"
        low, high = sorted((abs(a), abs(b)))
        tail = (
            f"This is a statistically significant {direction}: between {_num(low, digits)} and "
            f"{_num(high, digits)} {unit} (95% confidence interval)."
        )
    else:
        tail = (
            f"The 95% confidence interval runs from {_num(a, digits)} {lower if a < 0 else higher} to "
            f"{_num(b, digits)} {lower if b < 0 else higher} {unit}, so the result is inconclusive: more "
            f"people would need to be analysed to determine the effect. This does not show that the "
            f"programme has no effect."
        )
    return f"{lead} {tail}"


def _fit_wls(y: np.ndarray, x: np.ndarray, w: np.ndarray, groups: np.ndarray | None) -> tuple[float, float]:
    """Coefficient 1 (treatment) and its robust standard error: CR1 by `groups`, else HC3."""
    import statsmodels.api as sm

    model = sm.WLS(y, x, weights=w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if groups is not None:
            fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        else:
            fit = model.fit(cov_type="HC3")
    return float(fit.params[1]), float(fit.bse[1])


def _finish(base: Estimate, diff: float, se: float, method: str) -> Estimate | None:
    if not (math.isfinite(diff) and math.isfinite(se)):
        return None
    p = float(2 * stats.norm.sf(abs(diff / se))) if se > 0 else (1.0 if diff == 0 else 0.0)
    return Estimate(
        base.outcome,
        base.n_treated,
        base.n_control,
        base.treated_mean,
        base.treated_mean - diff,
        diff,
        se,
        diff - Z95 * se,
        diff + Z95 * se,
        p,
        method,
    )


def regression_adjusted(
    base: Estimate,
    y: np.ndarray,
    treat: np.ndarray,
    weights: np.ndarray,
    clusters: np.ndarray | None,
    covariates: np.ndarray,
    cluster_label: str = "matched set",
) -> Estimate | None:
    """Outcome regression on the matched sample with the matching weights (MatchIt's g-computation).

    y ~ treatment + X + treatment × X by weighted least squares, with X centred at the matched treated
    people's weighted mean, so the treatment coefficient is the average effect on the treated. It is
    doubly robust: right if either the matching balanced the covariates or the outcome model is right.
    `control_mean` of the result is the treated mean minus the adjusted effect (a counterfactual mean).
    """
    from openiom.evaluation.matching import _independent_columns

    if base.no_variation:
        return base
    keep = (weights > 0) & ~np.isnan(y)
    y, t, w, x = y[keep], treat[keep].astype(float), weights[keep], covariates[keep]
    centre = np.average(x[t == 1], axis=0, weights=w[t == 1])
    xc = x - centre
    full = np.column_stack([np.ones(len(y)), t, xc, xc * t[:, None]])
    columns = _independent_columns(full)
    if 1 not in columns or len(columns) >= len(y) - 1:
        return None
    groups = clusters[keep] if clusters is not None else None
    diff, se = _fit_wls(y, full[:, columns], w, groups)
    method = (
        f"cluster-robust (CR1), clustered by {cluster_label}"
        if groups is not None
        else "heteroskedasticity-robust (HC3), not clustered"
    )
    return _finish(base, diff, se, method)


def aipw_att(
    base: Estimate, y: np.ndarray, treat: np.ndarray, propensity: np.ndarray, covariates: np.ndarray
) -> Estimate | None:
    """Augmented inverse-probability weighting for the effect on the treated, on the whole (unmatched)
    sample: a linear outcome model fitted on the comparison people, corrected by odds-of-treatment
    weighted residuals. Consistent if either the propensity model or the outcome model is right.
    Standard error from the influence function."""
    from openiom.evaluation.matching import _independent_columns

    ok = ~np.isnan(y)
    y, t, e, x = y[ok], treat[ok].astype(float), propensity[ok], covariates[ok]
    design = np.column_stack([np.ones(len(y)), x])
    control = t == 0
    columns = _independent_columns(design[control])
    design = design[:, columns]
    beta, *_ = np.linalg.lstsq(design[control], y[control], rcond=None)
    residual = y - design @ beta
    n, n1 = len(y), t.sum()
    clipped = np.clip(e, 1e-12, 1 - 1e-12)
    odds = clipped / (1 - clipped)
    diff = float((t * residual - (1 - t) * odds * residual).sum() / n1)
    # Influence function with the outcome model's own estimation (stacked estimating equations): the term
    # vanishes when the odds weights balance the covariates, i.e. when the propensity model is right.
    imbalance = (t[:, None] * design).mean(axis=0) - (((1 - t) * odds)[:, None] * design).mean(axis=0)
    hessian = design[control].T @ design[control] / n
    beta_influence = np.linalg.solve(hessian, (design * ((1 - t) * residual)[:, None]).T).T
    influence = (t * (residual - diff) - (1 - t) * odds * residual - beta_influence @ imbalance) / (n1 / n)
    se = float(np.sqrt((influence**2).sum()) / n)
    return _finish(
        base,
        diff,
        se,
        "influence-function standard error on the whole sample (outcome model's estimation included, "
        "propensity model taken as known)",
    )


def e_value(ratio: float) -> float:
    """VanderWeele and Ding's E-value of a risk ratio: RR + sqrt(RR (RR − 1)), with RR < 1 inverted."""
    if not math.isfinite(ratio) or ratio <= 0:
        return float("nan")
    rr = ratio if ratio >= 1 else 1 / ratio
    return rr + math.sqrt(rr * (rr - 1))


def e_values(est: Estimate, binary: bool, outcome_sd: float | None = None) -> dict[str, object] | None:
    """E-values of the point estimate and of the confidence limit nearer no difference.

    Binary outcomes: the risk ratio treated / comparison, and the limits as ratios to the comparison rate.
    Other outcomes: the standardised difference d = difference / SD converted by RR ≈ exp(0.91 d)
    (VanderWeele and Ding 2017). The limit's E-value is 1 when the interval includes no difference."""
    if est.no_variation:
        return None
    if binary:
        base = est.control_mean
        if base <= 0:
            return None

        def to_ratio(diff: float) -> float:
            return (base + diff) / base

        scale = "risk ratio"
    else:
        if not outcome_sd or outcome_sd <= 0:
            return None
        sd = outcome_sd

        def to_ratio(diff: float) -> float:
            return math.exp(0.91 * diff / sd)

        scale = "approximate risk ratio from the standardised difference, exp(0.91 d)"
    rr = to_ratio(est.difference)
    if est.ci_low <= 0 <= est.ci_high:
        limit_e = 1.0
    else:
        nearer = est.ci_low if est.ci_low > 0 else est.ci_high
        limit_e = e_value(to_ratio(nearer))
    return {"ratio": rr, "scale": scale, "e_value": e_value(rr), "e_value_ci": limit_e}


def e_value_sentence(values: dict[str, object] | None, what: str) -> str:
    if not values:
        return ""
    point, limit = float(values["e_value"]), float(values["e_value_ci"])  # type: ignore[arg-type]  # floats this module stored
    text = (
        f"Hidden bias: to explain this result away, an unmeasured factor would need to make {what} "
        f"{point:.2f} times likelier and be {point:.2f} times commoner among the treatment group than the "
        f"comparison group (or the reverse), over and above everything matched on."
    )
    if limit > 1:
        text += f" To make the confidence interval include no difference, {limit:.2f} times would be enough."
    else:
        text += " The confidence interval already includes no difference."
    return text


def _poisson_binomial_cdf(probabilities: np.ndarray, k: int) -> float:
    """P(sum of independent Bernoulli(p_i) ≤ k), exactly by convolution."""
    dist = np.zeros(len(probabilities) + 1)
    dist[0] = 1.0
    for i, p in enumerate(probabilities.tolist()):
        dist[1 : i + 2] = dist[1 : i + 2] * (1 - p) + dist[: i + 1] * p
        dist[0] *= 1 - p
    return float(dist[: k + 1].sum())


def rosenbaum_bound(y: np.ndarray, treat: np.ndarray, sets: np.ndarray, gamma: float) -> tuple[float, int]:
    """Upper bound on the one-sided p-value of the observed direction for matched sets with one treated
    person each and a binary outcome, when hidden bias can make one person in a set up to `gamma` times
    likelier than another to be the treated one (Rosenbaum 2002, sec. 4.4). Returns (p, informative sets)."""
    frame = {"y": y, "t": treat, "s": sets}
    informative_p_hi, informative_p_lo, observed, expected = [], [], 0, 0.0
    order = np.argsort(frame["s"], kind="stable")
    s_sorted, y_sorted, t_sorted = sets[order], y[order], treat[order]
    boundaries = np.flatnonzero(np.diff(s_sorted)) + 1
    for ys, ts in zip(np.split(y_sorted, boundaries), np.split(t_sorted, boundaries), strict=True):
        n, events = len(ys), int(ys.sum())
        if ts.sum() != 1 or events in (0, n):
            continue
        observed += int(ys[ts == 1][0])
        informative_p_hi.append(gamma * events / (gamma * events + (n - events)))
        informative_p_lo.append(events / (events + gamma * (n - events)))
        expected += events / n  # without hidden bias: the direction of the observed result
    if not informative_p_hi:
        return 1.0, 0
    if observed <= expected:
        # Fewer treated events than chance: the bias that best explains it makes the people with the
        # event as unlikely as possible to be the treated one.
        p = _poisson_binomial_cdf(np.array(informative_p_lo), observed)
    else:
        hi = np.array(informative_p_hi)
        p = _poisson_binomial_cdf(1 - hi, len(hi) - observed)
    return p, len(informative_p_hi)


def rosenbaum_sensitivity(
    y: np.ndarray, treat: np.ndarray, sets: np.ndarray, alpha: float = 0.025
) -> dict[str, object] | None:
    """The largest Γ (to 0.01, up to 20) at which the result stays significant at one-sided `alpha`."""
    keep = (sets >= 0) & ~np.isnan(y)
    y, treat, sets = y[keep], treat[keep].astype(int), sets[keep]
    if not np.isin(y, (0.0, 1.0)).all():
        return None
    p1, informative = rosenbaum_bound(y, treat, sets, 1.0)
    if informative == 0:
        return None
    if p1 > alpha:
        return {"gamma": 1.0, "p_at_gamma_1": p1, "informative_sets": informative, "significant": False}
    low, high = 1.0, 20.0
    if rosenbaum_bound(y, treat, sets, high)[0] <= alpha:
        return {"gamma": high, "p_at_gamma_1": p1, "informative_sets": informative, "significant": True}
    while high - low > 0.005:
        mid = (low + high) / 2
        if rosenbaum_bound(y, treat, sets, mid)[0] <= alpha:
            low = mid
        else:
            high = mid
    return {
        "gamma": math.floor(low * 100) / 100,
        "p_at_gamma_1": p1,
        "informative_sets": informative,
        "significant": True,
    }


def rosenbaum_sentence(result: dict[str, object] | None) -> str:
    if not result:
        return ""
    if not result["significant"]:
        return (
            "Rosenbaum bounds: the matched-set test is not significant even without hidden bias, so there is "
            "no result to explain away."
        )
    gamma = float(result["gamma"])  # type: ignore[arg-type]  # a float this module stored
    return (
        f"Rosenbaum bounds: the result stays significant unless an unmeasured factor made one person in a "
        f"matched set up to {gamma:.2f} times as likely as another to be in the treatment group"
        + (" (or more: checked up to 20)." if gamma >= 20 else ".")
    )
