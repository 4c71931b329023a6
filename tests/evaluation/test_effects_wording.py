"""Honest labels and wording: what was clustered, outcomes that do not vary, outcomes we do not know."""

from __future__ import annotations

import numpy as np

from openiom.evaluation.effects import estimate, plain_language
from openiom.evaluation.outcomes import OutcomeSpec


def test_the_standard_error_label_says_what_was_clustered() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(size=120)
    treat = np.repeat([1, 0], 60)
    by_set = estimate(
        "severity", y, treat, np.ones(120), np.tile(np.arange(60), 2), cluster_label="matched set"
    )
    assert by_set is not None and by_set.se_method == "cluster-robust (CR1), clustered by matched set"
    by_person = estimate("severity", y, treat, np.ones(120), np.arange(120) // 3, cluster_label="household")
    assert by_person is not None and "clustered by household" in by_person.se_method
    robust = estimate("severity", y, treat, np.ones(120), None)
    assert robust is not None and robust.se_method == "heteroskedasticity-robust (HC3), not clustered"


def test_an_outcome_everyone_shares_is_no_difference_not_inconclusive() -> None:
    treat = np.repeat([1, 0], 50)
    est = estimate("proven_reoffending", np.zeros(100), treat, np.ones(100), np.tile(np.arange(50), 2))
    assert est is not None
    text = plain_language(est)
    assert text.startswith("No difference: every person had the same outcome")
    assert "inconclusive" not in text


def test_an_unknown_outcome_is_described_not_a_key_error() -> None:
    rng = np.random.default_rng(3)
    treat = np.repeat([1, 0], 80)
    y = (rng.random(160) < np.where(treat == 1, 0.6, 0.3)).astype(float)
    est = estimate("employment", y, treat, np.ones(160), None)
    assert est is not None
    text = plain_language(est)
    # Without a spec nothing says the values are 0/1, so the wording is the neutral numeric one.
    assert text.startswith("employment: the treatment group averaged 0.55 per person")
    numeric = estimate("hours_worked", rng.normal(20, 5, 160) + 5 * treat, treat, np.ones(160), None)
    assert numeric is not None
    assert "hours_worked" in plain_language(numeric)


def test_a_supplied_binary_outcome_is_worded_for_what_it_is() -> None:
    spec = OutcomeSpec(
        "accommodation_6m",
        "Settled accommodation within 6 months",
        "rate",
        "people",
        "had settled accommodation within 6 months",
    )
    rng = np.random.default_rng(4)
    treat = np.repeat([1, 0], 100)
    y = (rng.random(200) < np.where(treat == 1, 0.7, 0.4)).astype(float)
    est = estimate("accommodation_6m", y, treat, np.ones(200), None)
    assert est is not None
    text = plain_language(est, spec)
    assert "had settled accommodation within 6 months" in text
    assert "reoffen" not in text
    assert "statistically significant increase" in text
