"""Doubly robust estimates, E-values and Rosenbaum bounds against planted effects and hand computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from openiom.evaluation.effects import (
    Estimate,
    aipw_att,
    e_value,
    e_value_sentence,
    e_values,
    estimate,
    regression_adjusted,
    rosenbaum_bound,
    rosenbaum_sensitivity,
)
from openiom.evaluation.matching import fit_propensity, nearest_neighbour


def _est(treated: float, control: float, low: float, high: float) -> Estimate:
    diff = treated - control
    return Estimate("proven_reoffending", 100, 100, treated, control, diff, 0.1, low, high, 0.01, "test")


def test_e_value_of_the_published_breastfeeding_example() -> None:
    # VanderWeele & Ding (2017), Ann Intern Med: RR 3.9 (95% CI 1.8 to 8.7) gives E-values 7.26 and 3.00.
    assert e_value(3.9) == pytest.approx(3.9 + math.sqrt(3.9 * 2.9))
    assert round(e_value(3.9), 2) == 7.26
    assert round(e_value(1.8), 2) == 3.00
    # A protective ratio is inverted: RR 0.5 has the E-value of 2, 2 + sqrt(2) = 3.41.
    assert e_value(0.5) == pytest.approx(2 + math.sqrt(2))


def test_e_values_of_a_rate_difference_and_of_a_standardised_difference() -> None:
    # Reoffending 20% vs 40%: RR 0.5; the interval's upper limit -0.05 is RR 0.875 (ratio to 40%).
    values = e_values(_est(0.2, 0.4, -0.35, -0.05), binary=True)
    assert values is not None
    assert values["ratio"] == pytest.approx(0.5)
    assert values["e_value"] == pytest.approx(2 + math.sqrt(2))
    rr = 1 / 0.875
    assert values["e_value_ci"] == pytest.approx(rr + math.sqrt(rr * (rr - 1)))
    # Interval through zero: the limit's E-value is 1.
    assert e_values(_est(0.3, 0.4, -0.2, 0.05), binary=True)["e_value_ci"] == 1.0  # type: ignore[index]
    # Numeric outcome, d = 0.5 (EValue's evalues.MD): RR = exp(0.91 * 0.5).
    numeric = Estimate("severity", 50, 50, 3.0, 2.0, 1.0, 0.2, 0.6, 1.4, 0.01, "test")
    values = e_values(numeric, binary=False, outcome_sd=2.0)
    assert values is not None
    rr = math.exp(0.455)
    assert values["e_value"] == pytest.approx(rr + math.sqrt(rr * (rr - 1)))
    sentence = e_value_sentence(values, "reoffending")
    assert (
        "make reoffending 2.53 times likelier and be 2.53 times commoner among the treatment group"
        in sentence
    )


def test_rosenbaum_bound_for_pairs_is_the_binomial_of_discordant_pairs() -> None:
    # 30 pairs: 4 discordant with the treated person reoffending, 14 with the comparison person, 12 concordant.
    y_t = np.array([1] * 4 + [0] * 14 + [1] * 6 + [0] * 6, dtype=float)
    y_c = np.array([0] * 4 + [1] * 14 + [1] * 6 + [0] * 6, dtype=float)
    y = np.concatenate([y_t, y_c])
    treat = np.repeat([1, 0], 30)
    sets = np.tile(np.arange(30), 2)
    for gamma in (1.0, 1.5, 2.0):
        p, informative = rosenbaum_bound(y, treat, sets, gamma)
        assert informative == 18
        assert p == pytest.approx(stats.binom.cdf(4, 18, 1 / (1 + gamma)))
    result = rosenbaum_sensitivity(y, treat, sets)
    assert result is not None and result["significant"]
    gamma = float(result["gamma"])  # type: ignore[arg-type]
    assert stats.binom.cdf(4, 18, 1 / (1 + gamma)) <= 0.025 < stats.binom.cdf(4, 18, 1 / (1 + gamma + 0.02))


def _misspecified(seed: int, n: int = 4000) -> dict[str, float]:
    """Treatment depends on x and x²; the propensity model sees only x. The outcome model is right."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    treat = (rng.random(n) < 1 / (1 + np.exp(-(-1.5 + 0.5 * x + 0.8 * x**2)))).astype(int)
    effect = -1.0
    y = 1 + 2 * x + 3 * x**2 + effect * treat + rng.normal(size=n)
    ps = fit_propensity(pd.DataFrame({"x": x}), treat)
    match = nearest_neighbour(ps.distance, treat, caliper=None, replace=True)
    base = estimate("severity", y, treat, match.weights, None)
    assert base is not None
    covariates = np.column_stack([x, x**2])
    adjusted = regression_adjusted(base, y, treat, match.weights, None, covariates)
    aipw = aipw_att(base, y, treat, 1 / (1 + np.exp(-ps.distance)), covariates)
    assert adjusted is not None and aipw is not None
    return {
        "matched": base.difference,
        "matched_se": base.se,
        "adjusted": adjusted.difference,
        "adjusted_se": adjusted.se,
        "aipw": aipw.difference,
        "aipw_se": aipw.se,
    }


def test_doubly_robust_estimates_recover_the_planted_effect_when_the_propensity_model_is_wrong() -> None:
    runs = [_misspecified(seed) for seed in range(4)]
    # Matching on the wrong score leaves x² unbalanced: the plain matched difference is biased.
    assert abs(np.mean([r["matched"] for r in runs]) + 1) > 0.3
    for run in runs:
        assert abs(run["adjusted"] + 1) < 3 * run["adjusted_se"]
        assert abs(run["aipw"] + 1) < 3 * run["aipw_se"]
    assert np.mean([r["adjusted"] for r in runs]) == pytest.approx(-1, abs=0.1)
    assert np.mean([r["aipw"] for r in runs]) == pytest.approx(-1, abs=0.1)
