"""Propensity-score matching with R MatchIt's semantics (`method = "nearest"`, estimand ATT).

- Propensity score: plain maximum-likelihood logistic regression by IRLS exactly as R's `glm.fit`. Columns
  that are exact linear combinations of earlier ones are dropped (R reports them as aliased, `NA`).
- Distance: the linear predictor, i.e. the logit of the propensity score (MatchIt `link = "linear.logit"`).
- Greedy nearest neighbour. Treated units are taken in `largest` distance order by default; every pass
  gives each treated unit one more control (pass 1 for all, then pass 2, ... up to `ratio`). The nearest
  available control on each side is found; ties go to the control with the smaller distance, and units
  with equal distances keep data order (R's stable sort). With replacement the order does not matter and
  MatchIt uses data order.
- Caliper: `caliper` × the standard deviation (n − 1) of the distance over all units; a side whose nearest
  available control lies outside the caliper offers nothing, exactly as MatchIt's search stops there.
- Exact matching: matching runs separately inside each combination of the exact variables.
- Weights (MatchIt `weights.matrix`): a matched treated unit gets 1; each control gets the sum over the
  matched sets it belongs to of 1 / (controls in that set); control weights are then scaled so they
  average 1 over matched controls. Effective sample size = (Σw)² / Σw².
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.special

ALIAS_TOLERANCE = 1e-9


class MatchingError(ValueError):
    """Matching cannot proceed; the message says why in terms an analyst can act on."""


@dataclass(frozen=True)
class PropensityFit:
    distance: np.ndarray  # logit of the propensity score, one per unit
    coefficients: dict[str, float]
    aliased: list[str]
    iterations: int
    extreme_scores: int  # units with fitted probability numerically 0 or 1


@dataclass
class MatchResult:
    match_matrix: np.ndarray  # (treated units, ratio) row indices of controls; -1 = no match
    treated_rows: np.ndarray  # row index of each treated unit, aligned with match_matrix
    weights: np.ndarray  # per unit; 0 = not in the matched sample
    subclass: np.ndarray | None  # matched-set id per unit (-1 unmatched); None with replacement
    caliper_width: float | None
    ratio: int
    replace: bool
    notes: list[str] = field(default_factory=list)

    @property
    def matched_treated(self) -> np.ndarray:
        return self.treated_rows[self.match_matrix[:, 0] >= 0]

    def summary(self, treat: np.ndarray) -> dict[str, float]:
        w = self.weights
        out: dict[str, float] = {}
        for name, mask in (("treated", treat == 1), ("control", treat == 0)):
            wg = w[mask]
            out[f"{name}_all"] = int(mask.sum())
            out[f"{name}_matched"] = int((wg > 0).sum())
            out[f"{name}_unmatched"] = int((wg == 0).sum())
            out[f"{name}_ess"] = effective_sample_size(wg)
        return out


def effective_sample_size(weights: np.ndarray) -> float:
    total = float(weights.sum())
    squares = float((weights**2).sum())
    return total * total / squares if squares > 0 else 0.0


def _independent_columns(x: np.ndarray) -> list[int]:
    """Indices of columns kept in order, dropping any that is a linear combination of kept ones."""
    gram = x.T @ x
    keep: list[int] = []
    for j in range(x.shape[1]):
        if gram[j, j] <= 0:
            continue
        if keep:
            g_kk = gram[np.ix_(keep, keep)]
            g_kj = gram[keep, j]
            residual = gram[j, j] - g_kj @ np.linalg.solve(g_kk, g_kj)
            if residual / gram[j, j] < ALIAS_TOLERANCE:
                continue
        keep.append(j)
    return keep


def _irls_logit(
    x: np.ndarray, y: np.ndarray, max_iter: int = 25, tol: float = 1e-8
) -> tuple[np.ndarray, int, bool]:
    """R's glm.fit for the binomial logit: IRLS from mu = (y + 0.5) / 2, stopping when the relative change in
    deviance is below 1e-8 (25 iterations at most). Near-separation still converges in deviance, as in R."""
    mu = (y + 0.5) / 2
    eta = np.log(mu / (1 - mu))
    deviance_old = np.inf
    beta = np.zeros(x.shape[1])
    for iteration in range(1, max_iter + 1):
        var = mu * (1 - mu)
        z = eta + (y - mu) / var
        xw = x * var[:, None]
        beta = scipy.linalg.solve(xw.T @ x, xw.T @ z, assume_a="pos")
        eta = x @ beta
        mu = scipy.special.expit(eta)
        mu = np.clip(mu, 1e-15, 1 - 1e-15)
        deviance = -2 * float(np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu)))
        if abs(deviance - deviance_old) / (abs(deviance) + 0.1) < tol:
            return beta, iteration, True
        deviance_old = deviance
    return beta, max_iter, False


def fit_propensity(design: pd.DataFrame, treat: np.ndarray) -> PropensityFit:
    """Plain MLE logistic regression of treatment on the design matrix (an intercept is added)."""
    names = ["(Intercept)", *design.columns]
    x = np.column_stack([np.ones(len(design)), design.to_numpy(dtype=float)])
    keep = _independent_columns(x)
    aliased = [names[j] for j in range(len(names)) if j not in keep]
    try:
        beta, iterations, converged = _irls_logit(x[:, keep], treat.astype(float))
    except np.linalg.LinAlgError as exc:
        raise MatchingError(f"the propensity model could not be fitted ({exc})") from exc
    if not converged:
        raise MatchingError(
            "the propensity model did not converge: a covariate probably separates treated from comparison "
            "people almost perfectly; remove it or use it in matching.exact instead"
        )
    linear = x[:, keep] @ beta
    prob = 1 / (1 + np.exp(-linear))
    extreme = int(((prob < 1e-8) | (prob > 1 - 1e-8)).sum())
    return PropensityFit(
        distance=linear,
        coefficients={names[j]: float(b) for j, b in zip(keep, beta, strict=True)},
        aliased=aliased,
        iterations=iterations,
        extreme_scores=extreme,
    )


class _Available:
    """Controls sorted by distance; finds the nearest still-available one to the left or right.

    Union-find with path compression, so matching without replacement stays near-linear even when
    thousands of controls next to a dense cluster of treated units have already been used.
    """

    def __init__(self, n: int) -> None:
        self.right = list(range(n + 1))  # n = none to the right
        self.left = list(range(n + 1))  # position p + 1 stands for control p; 0 = none to the left

    @staticmethod
    def _find(parent: list[int], j: int) -> int:
        root = j
        while parent[root] != root:
            root = parent[root]
        while parent[j] != root:
            parent[j], j = root, parent[j]
        return root

    def right_of(self, p: int) -> int:
        return self._find(self.right, p)

    def left_of(self, p: int) -> int:
        return self._find(self.left, p + 1) - 1

    def take(self, p: int) -> None:
        self.right[p] = p + 1
        self.left[p + 1] = p


def _match_stratum(
    distance: np.ndarray,
    treated: np.ndarray,
    controls: np.ndarray,
    order: str,
    ratio: int,
    replace: bool,
    caliper: float | None,
    rng: np.random.Generator,
    out: dict[int, list[int]],
) -> None:
    """Match `treated` (row indices, data order) to `controls` (row indices, data order) in one stratum."""
    if len(treated) == 0 or len(controls) == 0:
        return
    control_order = np.argsort(distance[controls], kind="stable")
    sorted_controls = controls[control_order]
    cd = distance[sorted_controls]
    td = distance[treated]
    # Position of each treated unit among the sorted controls, equal distances resolved by data order.
    lo = np.searchsorted(cd, td, side="left")
    hi = np.searchsorted(cd, td, side="right")
    ins = lo.copy()
    for i in np.nonzero(hi > lo)[0]:
        ins[i] = lo[i] + int(np.searchsorted(sorted_controls[lo[i] : hi[i]], treated[i]))

    if replace or order == "data":
        sequence = np.arange(len(treated))
    elif order == "largest":
        sequence = np.argsort(-td, kind="stable")
    elif order == "smallest":
        sequence = np.argsort(td, kind="stable")
    else:
        sequence = rng.permutation(len(treated))

    n_c = len(cd)
    cd_list = cd.tolist()
    td_list = td.tolist()
    ins_list = ins.tolist()
    rows = [out.setdefault(int(t), []) for t in treated]
    if replace:
        for i in sequence.tolist():
            left, right, d = ins_list[i] - 1, ins_list[i], td_list[i]
            for _ in range(ratio):
                ok_left = left >= 0 and (caliper is None or abs(d - cd_list[left]) <= caliper)
                ok_right = right < n_c and (caliper is None or abs(cd_list[right] - d) <= caliper)
                if ok_left and (not ok_right or abs(d - cd_list[left]) <= abs(cd_list[right] - d)):
                    rows[i].append(int(sorted_controls[left]))
                    left -= 1
                elif ok_right:
                    rows[i].append(int(sorted_controls[right]))
                    right += 1
                else:
                    break
        return

    available = _Available(n_c)
    for r in range(ratio):
        for i in sequence.tolist():
            if len(rows[i]) < r:
                continue
            d = td_list[i]
            left = available.left_of(ins_list[i] - 1) if ins_list[i] > 0 else -1
            right = available.right_of(ins_list[i])
            ok_left = left >= 0 and (caliper is None or abs(d - cd_list[left]) <= caliper)
            ok_right = right < n_c and (caliper is None or abs(cd_list[right] - d) <= caliper)
            if ok_left and (not ok_right or abs(d - cd_list[left]) <= abs(cd_list[right] - d)):
                pick = left
            elif ok_right:
                pick = right
            else:
                continue
            rows[i].append(int(sorted_controls[pick]))
            available.take(pick)


def matchit_weights(match_matrix: np.ndarray, treated_rows: np.ndarray, n: int) -> np.ndarray:
    weights = np.zeros(n)
    for t, row in zip(treated_rows.tolist(), match_matrix, strict=True):
        chosen = row[row >= 0]
        if len(chosen) == 0:
            continue
        weights[t] += 1.0
        np.add.at(weights, chosen, 1.0 / len(chosen))
    controls = np.ones(n, dtype=bool)
    controls[treated_rows] = False
    total = weights[controls].sum()
    if total > 0:
        weights[controls] *= (weights[controls] > 0).sum() / total
    return weights


def nearest_neighbour(
    distance: np.ndarray,
    treat: np.ndarray,
    *,
    ratio: int = 1,
    replace: bool = False,
    caliper: float | None = 0.2,
    exact: np.ndarray | None = None,
    order: str = "largest",
    seed: int = 0,
) -> MatchResult:
    """Greedy nearest-neighbour matching on `distance`; `exact` holds one stratum code per unit."""
    treat = np.asarray(treat).astype(int)
    n = len(treat)
    if treat.sum() == 0 or treat.sum() == n:
        raise MatchingError("matching needs both treated and comparison people")
    width = caliper * float(np.std(distance, ddof=1)) if caliper is not None else None
    rng = np.random.default_rng(seed)
    strata = np.zeros(n, dtype=np.int64) if exact is None else np.asarray(exact)
    rows: dict[int, list[int]] = {}
    treated_rows = np.nonzero(treat == 1)[0]
    notes: list[str] = []
    for code in np.unique(strata):
        in_stratum = strata == code
        t_idx = np.nonzero(in_stratum & (treat == 1))[0]
        c_idx = np.nonzero(in_stratum & (treat == 0))[0]
        if len(t_idx) and not replace and len(c_idx) * 1 < len(t_idx) * ratio and exact is not None:
            notes.append(f"exact stratum {code}: {len(c_idx)} comparison people for {len(t_idx)} treated")
        _match_stratum(distance, t_idx, c_idx, order, ratio, replace, width, rng, rows)
    mm = np.full((len(treated_rows), ratio), -1, dtype=np.int64)
    for i, t in enumerate(treated_rows.tolist()):
        chosen = rows.get(t, [])
        mm[i, : len(chosen)] = chosen
    weights = matchit_weights(mm, treated_rows, n)
    subclass = None
    if not replace:
        subclass = np.full(n, -1, dtype=np.int64)
        for set_id, (t, row) in enumerate(zip(treated_rows.tolist(), mm, strict=True)):
            if row[0] >= 0:
                subclass[t] = set_id
                subclass[row[row >= 0]] = set_id
    return MatchResult(
        match_matrix=mm,
        treated_rows=treated_rows,
        weights=weights,
        subclass=subclass,
        caliper_width=width,
        ratio=ratio,
        replace=replace,
        notes=notes,
    )


def restrict_to_treated(result: MatchResult, keep_treated: np.ndarray, n: int) -> MatchResult:
    """The matched sample of a subset of treated units (a subgroup), with MatchIt weights recomputed."""
    mask = np.isin(result.treated_rows, keep_treated)
    mm = result.match_matrix[mask]
    rows = result.treated_rows[mask]
    weights = matchit_weights(mm, rows, n)
    subclass = None
    if result.subclass is not None:
        subclass = np.where(weights > 0, result.subclass, -1)
    return MatchResult(mm, rows, weights, subclass, result.caliper_width, result.ratio, result.replace)
