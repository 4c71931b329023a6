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
