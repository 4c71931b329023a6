"""Nearest-neighbour matching against hand-worked cases and a literal port of MatchIt's search."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from openiom.evaluation.matching import effective_sample_size, fit_propensity, nearest_neighbour


def _pairs(result, treat_rows=None) -> dict[int, list[int]]:
    return {
        int(t): [int(c) for c in row if c >= 0]
        for t, row in zip(result.treated_rows, result.match_matrix, strict=True)
    }


def test_largest_distance_first_and_ties_go_to_the_smaller_distance() -> None:
    # rows: T(0.9) T(0.8) C(0.85) C(0.5) C(0.75)
    distance = np.array([0.9, 0.8, 0.85, 0.5, 0.75])
    treat = np.array([1, 1, 0, 0, 0])
    result = nearest_neighbour(distance, treat, caliper=None)
    # 0.9 goes first and takes 0.85; 0.8 is then 0.05 from 0.75 and 0.05 from nothing else: 0.75.
    assert _pairs(result) == {0: [2], 1: [4]}
    tie = nearest_neighbour(np.array([0.5, 0.4, 0.6]), np.array([1, 0, 0]), caliper=None, ties="data")
    assert _pairs(tie) == {0: [1]}
    shared = nearest_neighbour(np.array([0.5, 0.4, 0.6]), np.array([1, 0, 0]), caliper=None)
    assert _pairs(shared) == {0: [1, 2]}


def test_each_pass_gives_every_treated_unit_one_more_control() -> None:
    distance = np.array([0.9, 0.8, 0.85, 0.82, 0.1, 0.05])
    treat = np.array([1, 1, 0, 0, 0, 0])
    result = nearest_neighbour(distance, treat, ratio=2, caliper=None)
    # Pass 1: 0.9 -> 0.85, 0.8 -> 0.82. Pass 2: 0.9 -> 0.1, 0.8 -> 0.05 (not 0.9 -> 0.85 and 0.82).
    assert _pairs(result) == {0: [2, 4], 1: [3, 5]}
    assert result.subclass is not None
    assert list(result.subclass) == [0, 1, 0, 1, 0, 1]


def test_caliper_is_in_standard_deviations_of_the_distance() -> None:
    distance = np.array([0.0, 1.0, 0.05, 3.0])
    treat = np.array([1, 1, 0, 0])
    width = 0.2 * np.std(distance, ddof=1)
    result = nearest_neighbour(distance, treat, caliper=0.2)
    assert result.caliper_width == pytest.approx(width)
    # Treated at 1.0 is processed first and takes 0.05 (0.95 away) only if inside the caliper, which it is not
    # (width ≈ 0.28); so it stays unmatched and the treated at 0.0 takes 0.05.
    assert _pairs(result) == {0: [2], 1: []}
    assert result.weights.tolist() == [1.0, 0.0, 1.0, 0.0]


def test_matchit_weights_with_replacement_and_effective_sample_size() -> None:
    # Three treated; two pick the same control (row 3), one picks row 4.
    distance = np.array([0.90, 0.88, 0.20, 0.89, 0.21, 0.5])
    treat = np.array([1, 1, 1, 0, 0, 0])
    result = nearest_neighbour(distance, treat, replace=True, caliper=None)
    assert _pairs(result) == {0: [3], 1: [3], 2: [4]}
    # Raw control weights 2 and 1, scaled to average 1 over the 2 matched controls: 4/3 and 2/3.
    assert result.weights.tolist() == pytest.approx([1, 1, 1, 4 / 3, 2 / 3, 0])
    assert result.subclass is None
    assert effective_sample_size(result.weights[treat == 0]) == pytest.approx(4 / (16 / 9 + 4 / 9))


def test_ratio_weights_are_one_over_the_set_size() -> None:
    distance = np.array([0.9, 0.1, 0.85, 0.8, 0.12])
    treat = np.array([1, 1, 0, 0, 0])
    result = nearest_neighbour(distance, treat, ratio=2, caliper=None)
    # 0.9 gets 0.85 then 0.8; 0.1 gets 0.12 only (nothing left): raw weights 1/2, 1/2, 1 -> scaled by 3/2.
    assert _pairs(result) == {0: [2, 3], 1: [4]}
    assert result.weights.tolist() == pytest.approx([1, 1, 0.75, 0.75, 1.5])


def test_exact_matching_stays_inside_strata() -> None:
    distance = np.array([0.5, 0.5, 0.9])
    treat = np.array([1, 0, 0])
    result = nearest_neighbour(distance, treat, exact=np.array([0, 1, 0]), caliper=None)
    assert _pairs(result) == {0: [2]}


def _matchit_reference(distance, treat, ratio, replace, caliper_sd, order):
    """A literal transcription of MatchIt's nn_matchC_vec search: scan left and right in the joint order."""
    n = len(distance)
    ordered = np.argsort(distance, kind="stable")
    d = distance[ordered]
    t = treat[ordered]
    cal = caliper_sd * np.std(distance, ddof=1) if caliper_sd else None
    treated_rows = np.nonzero(treat == 1)[0]
    position = {int(row): i for i, row in enumerate(ordered)}
    td = distance[treated_rows]
    if replace or order == "data":
        seq = list(range(len(treated_rows)))
    else:
        seq = list(np.argsort(-td, kind="stable"))
    used = np.zeros(n, dtype=bool)
    rows: dict[int, list[int]] = {int(r): [] for r in treated_rows}
    for r in range(ratio):
        for i in seq:
            row = int(treated_rows[i])
            if len(rows[row]) < r:
                continue
            ii = position[row]
            mine = {position[c] for c in rows[row]}

            def scan(step, ii=ii, mine=mine):
                k = ii + step
                while 0 <= k < n:
                    if t[k] == 1 or k in mine or (used[k] and not replace):
                        k += step
                        continue
                    if cal is not None and abs(d[ii] - d[k]) > cal:
                        return -1
                    return k
                return -1

            left, right = scan(-1), scan(1)
            if left >= 0 and right >= 0:
                k = left if abs(d[left] - d[ii]) <= abs(d[right] - d[ii]) else right
            else:
                k = max(left, right)
            if k < 0:
                continue
            rows[row].append(int(ordered[k]))
            used[k] = True
    return rows


@pytest.mark.parametrize(
    ("ratio", "replace", "caliper"),
    [(1, False, 0.2), (1, False, None), (3, False, 0.1), (2, True, 0.2), (1, True, None)],
)
def test_matches_a_literal_port_of_matchit_on_random_data_with_ties(ratio, replace, caliper) -> None:
    rng = np.random.default_rng(ratio * 10 + replace)
    n = 600
    treat = (rng.random(n) < 0.2).astype(int)
    distance = np.round(rng.normal(treat * 0.8, 1.0), 1)  # rounding makes many ties
    # MatchIt resolves ties by data order; that order-dependent rule is the documented `ties="data"` option.
    result = nearest_neighbour(distance, treat, ratio=ratio, replace=replace, caliper=caliper, ties="data")
    expected = _matchit_reference(distance, treat, ratio, replace, caliper, "largest")
    assert _pairs(result) == expected


def test_propensity_is_the_plain_maximum_likelihood_logit_and_drops_aliased_columns() -> None:
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"a": rng.normal(size=500), "b": rng.integers(0, 2, 500).astype(float)})
    x["a_twice"] = 2 * x["a"]
    treat = (rng.random(500) < 1 / (1 + np.exp(-(0.5 * x["a"] - x["b"])))).astype(int)
    fit = fit_propensity(x, treat.to_numpy())
    assert fit.aliased == ["a_twice"]
    reference = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(x[["a", "b"]], treat)
    assert fit.coefficients["a"] == pytest.approx(reference.coef_[0][0], rel=1e-5)
    assert fit.coefficients["(Intercept)"] == pytest.approx(reference.intercept_[0], rel=1e-5)
    assert fit.distance == pytest.approx(reference.decision_function(x[["a", "b"]]), rel=1e-5)


def _weights_by_key(
    distance: np.ndarray, treat: np.ndarray, order: np.ndarray, **options
) -> dict[int, float]:
    """Weights keyed by each unit's original row, after presenting the rows in `order`."""
    result = nearest_neighbour(distance[order], treat[order], **options)
    return {int(order[i]): float(w) for i, w in enumerate(result.weights)}


@pytest.mark.parametrize(("ratio", "replace"), [(1, False), (2, False), (1, True), (3, True)])
def test_tied_controls_share_the_weight_whatever_the_row_order(ratio, replace) -> None:
    rng = np.random.default_rng(5)
    n = 400
    treat = (rng.random(n) < 0.25).astype(int)
    distance = np.round(rng.normal(treat * 0.5, 1.0), 1)  # few distinct values: ties everywhere
    reference = _weights_by_key(distance, treat, np.arange(n), ratio=ratio, replace=replace, caliper=None)
    for seed in range(3):
        order = np.random.default_rng(seed).permutation(n)
        assert _weights_by_key(distance, treat, order, ratio=ratio, replace=replace, caliper=None) == (
            pytest.approx(reference, abs=1e-12)
        )


def test_matchit_data_order_ties_do_depend_on_the_row_order() -> None:
    # Why sharing is the default: the same units presented in another order get other weights.
    rng = np.random.default_rng(5)
    n = 400
    treat = (rng.random(n) < 0.25).astype(int)
    distance = np.round(rng.normal(treat * 0.5, 1.0), 1)
    reference = _weights_by_key(distance, treat, np.arange(n), caliper=None, ties="data")
    order = np.random.default_rng(0).permutation(n)
    assert _weights_by_key(distance, treat, order, caliper=None, ties="data") != reference


def test_all_equally_near_controls_are_kept_with_the_weight_shared() -> None:
    # One treated at 0.5; controls at 0.4 and 0.6 are equally near, 0.4 appears twice (identical scores).
    distance = np.array([0.5, 0.4, 0.6, 0.4, 0.9])
    treat = np.array([1, 0, 0, 0, 0])
    shared = nearest_neighbour(distance, treat, caliper=None)
    assert _pairs(shared) == {0: [1, 3, 2]}
    # Raw weights 1/3 each, scaled to average 1 over the three matched controls.
    assert shared.weights.tolist() == pytest.approx([1, 1, 1, 1, 0])
    # The order-dependent choice (MatchIt's: the last 0.4 in data order sits next to 0.5) stays available.
    assert _pairs(nearest_neighbour(distance, treat, caliper=None, ties="data")) == {0: [3]}
    # A seeded random tie-break picks one of the three, the same one for the same seed.
    picks = {
        _pairs(nearest_neighbour(distance, treat, caliper=None, ties="random", seed=s))[0][0]
        for s in range(20)
    }
    assert picks == {1, 2, 3}
    one = nearest_neighbour(distance, treat, caliper=None, ties="random", seed=4)
    assert _pairs(one) == _pairs(nearest_neighbour(distance, treat, caliper=None, ties="random", seed=4))


def test_shared_ties_with_replacement_follow_stata_all_controls_within_the_kth_distance() -> None:
    # ratio 2: the nearest is 0.45 (0.05 away), the second nearest distance 0.1 is shared by 0.4 and 0.6.
    distance = np.array([0.5, 0.45, 0.4, 0.6, 0.95])
    treat = np.array([1, 0, 0, 0, 0])
    result = nearest_neighbour(distance, treat, ratio=2, replace=True, caliper=None)
    assert sorted(_pairs(result)[0]) == [1, 2, 3]


def test_propensity_fit_is_by_qr_without_ill_conditioning_warnings() -> None:
    import warnings

    import statsmodels.api as sm

    rng = np.random.default_rng(8)
    n = 2000
    a = rng.normal(size=n)
    x = pd.DataFrame(
        {"a": a, "a_nearly": a + 1e-4 * rng.normal(size=n), "income": 20000 + 5000 * rng.normal(size=n)}
    )
    treat = (
        (rng.random(n) < 1 / (1 + np.exp(-(0.4 * a + (x["income"] - 20000) / 10000)))).astype(int).to_numpy()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_propensity(x, treat)
    assert fit.aliased == []
    reference = sm.GLM(treat, sm.add_constant(x), family=sm.families.Binomial()).fit()
    assert fit.distance == pytest.approx(
        np.asarray(reference.fittedvalues.pipe(lambda p: np.log(p / (1 - p)))), rel=1e-6, abs=1e-6
    )


def test_a_covariate_that_separates_the_groups_is_a_clear_error() -> None:
    from openiom.evaluation.matching import MatchingError

    rng = np.random.default_rng(9)
    treat = np.repeat([1, 0], 100)
    x = pd.DataFrame(
        {"age": rng.normal(30, 5, 200), "on_programme_list": treat.astype(float) * 3 + rng.random(200)}
    )
    with pytest.raises(MatchingError, match=r"on_programme_list separates treated from comparison people"):
        fit_propensity(x, treat)
