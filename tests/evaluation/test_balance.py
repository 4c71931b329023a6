"""Balance statistics checked against hand computation (MatchIt's ATT definitions)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from openiom.evaluation.balance import balance_table, balance_warnings

# Three treated (x = 1, 2, 3) and four controls (x = 2, 4, 6, 8); b is binary.
FRAME = pd.DataFrame({"x": [1, 2, 3, 2, 4, 6, 8], "b": [1, 0, 1, 0, 0, 1, 0]}, dtype=float)
TREAT = np.array([1, 1, 1, 0, 0, 0, 0])
WEIGHTS = np.array([1, 1, 1, 2, 1, 1, 0], dtype=float)


def test_before_matching() -> None:
    x, b = balance_table(FRAME, TREAT)
    # SD of treated x = 1; means 2 and 5.
    assert x.smd == pytest.approx(-3.0)
    # var treated 1, var controls (2,4,6,8) = 20/3.
    assert x.variance_ratio == pytest.approx(1 / (20 / 3))
    # eCDF differences at 1,2,3,4,6,8: 1/3, 5/12, 3/4, 1/2, 1/4, 0.
    assert x.ecdf_mean == pytest.approx((4 + 5 + 9 + 6 + 3 + 0) / 12 / 6)
    assert x.ecdf_max == pytest.approx(0.75)
    # Binary: p treated 2/3, p control 1/4, SD sqrt(2/3 * 1/3); eCDF statistics = |difference|.
    assert b.binary and b.variance_ratio is None
    assert b.smd == pytest.approx((2 / 3 - 1 / 4) / math.sqrt(2 / 9))
    assert b.ecdf_mean == b.ecdf_max == pytest.approx(2 / 3 - 1 / 4)


def test_after_matching_uses_weights_and_the_same_denominator() -> None:
    x, b = balance_table(FRAME, TREAT, WEIGHTS)
    # Weighted control mean (2*2 + 4 + 6) / 4 = 3.5; denominator still the treated SD before matching (1).
    assert x.mean_control == pytest.approx(3.5)
    assert x.smd == pytest.approx(-1.5)
    # Weighted variance Σw(x-m)^2 / (Σw - Σw²/Σw) = (4.5 + 0.25 + 6.25) / (4 - 6/4) = 4.4.
    assert x.variance_ratio == pytest.approx(1 / 4.4)
    # eCDF at 1,2,3,4,6 (the unit with weight 0 is not in the matched sample): 1/3, 1/6, 1/2, 1/4, 0.
    assert x.ecdf_mean == pytest.approx((4 + 2 + 6 + 3) / 12 / 5)
    assert x.ecdf_max == pytest.approx(0.5)
    assert b.smd == pytest.approx((2 / 3 - 1 / 4) / math.sqrt(2 / 9))


def test_warning_above_point_one() -> None:
    rows = balance_table(FRAME, TREAT, WEIGHTS)
    warnings = balance_warnings(rows)
    assert len(warnings) == 2
    assert warnings[0].startswith("x: standardised mean difference -1.500")


def test_a_column_constant_in_both_groups_is_balanced_not_incomparable() -> None:
    from openiom.evaluation.balance import comparability_problems

    treat = np.array([1, 1, 0, 0, 0])
    constant = pd.DataFrame({"distance": [0.4, 0.4, 0.4, 0.4, 0.4], "age": [20.0, 30.0, 20.0, 30.0, 25.0]})
    rows = balance_table(constant, treat)
    distance = next(r for r in rows if r.variable == "distance")
    assert distance.smd == 0.0 and distance.variance_ratio == 1.0
    assert not any(p.startswith("distance") for p in comparability_problems(rows))


def test_a_column_constant_only_among_the_comparison_group_is_incomparable() -> None:
    from openiom.evaluation.balance import comparability_problems

    treat = np.array([1, 1, 0, 0])
    rows = balance_table(pd.DataFrame({"age": [20.0, 40.0, 30.0, 30.0]}), treat)
    assert rows[0].variance_ratio == math.inf
    assert any(p.startswith("age") for p in comparability_problems(rows))
