"""Propensity-score matching with R MatchIt's semantics (`method = "nearest"`, estimand ATT).

- Propensity score: plain maximum-likelihood logistic regression by IRLS as R's `glm.fit`, each step a QR
  least-squares solve. Columns that are exact linear combinations of earlier ones are dropped (R reports
  them as aliased, `NA`); a covariate that separates the groups completely is an error naming it.
- Distance: the linear predictor, i.e. the logit of the propensity score (MatchIt `link = "linear.logit"`).
- Greedy nearest neighbour. Treated units are taken in `largest` distance order by default; every pass
  gives each treated unit one more control (pass 1 for all, then pass 2, ... up to `ratio`). With
  replacement the order does not matter.
- Ties (`ties`): controls equally near a treated unit are never chosen by their row order by default
  (`share`): the whole tie group joins the matched set and shares its weight, as Stata's `teffects
  psmatch` does (with replacement: every control no farther than the k-th nearest). `random` draws one
  member with the seed. `data` is MatchIt's rule (the control with the smaller distance, then data order),
  kept for parity checks: it moves the estimate when the input file is sorted differently.
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
# Distances (logit scale) closer than this are equal: smaller differences are floating-point noise from
# the order in which sums were taken, not a difference between people.
TIE_TOLERANCE = 1e-10
TIE_RULES = ("share", "random", "data")


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
    """Indices of columns kept in order, dropping any that is a linear combination of kept ones.

    Gram-Schmidt with re-orthogonalisation: the length of what column j adds to the kept columns, relative
    to its own length, as R's dqrdc2 judges it; an aliased column is set aside (R moves it to the end), so
    it never disturbs the test of later columns."""
    basis = np.empty((x.shape[0], 0))
    keep: list[int] = []
    for j in range(x.shape[1]):
        column = x[:, j]
        norm = float(np.linalg.norm(column))
        if norm == 0:
            continue
        residual = column.copy()
        for _ in range(2):
            residual -= basis @ (basis.T @ residual)
        length = float(np.linalg.norm(residual))
        if (length / norm) ** 2 < ALIAS_TOLERANCE:
            continue
        basis = np.column_stack([basis, residual / length])
        keep.append(j)
    return keep


def _wls_qr(x: np.ndarray, z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least squares by QR of sqrt(w) X, as R's glm.fit does (never the normal equations,
    whose condition number is the square of the design's)."""
    root = np.sqrt(w)
    q, r = scipy.linalg.qr(x * root[:, None], mode="economic", check_finite=False)
    if np.abs(np.diag(r)).min() <= 1e-11 * np.abs(np.diag(r)).max():
        raise np.linalg.LinAlgError("the weighted design became rank deficient")
    solved: np.ndarray = scipy.linalg.solve_triangular(r, q.T @ (z * root), check_finite=False)
    return solved


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
        beta = _wls_qr(x, z, var)
        eta = x @ beta
        mu = scipy.special.expit(eta)
        mu = np.clip(mu, 1e-15, 1 - 1e-15)
        deviance = -2 * float(np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu)))
        if abs(deviance - deviance_old) / (abs(deviance) + 0.1) < tol:
            return beta, iteration, True
        deviance_old = deviance
    return beta, max_iter, False


def separating_columns(design: pd.DataFrame, treat: np.ndarray) -> list[str]:
    """Columns whose values for treated people and comparison people do not overlap at all, so the
    maximum-likelihood coefficient is infinite (complete separation by one covariate)."""
    found = []
    t = treat == 1
    for name in design.columns:
        v = design[name].to_numpy(dtype=float)
        if v[t].min() > v[~t].max() or v[t].max() < v[~t].min():
            found.append(str(name))
    return found


def fit_propensity(design: pd.DataFrame, treat: np.ndarray) -> PropensityFit:
    """Plain MLE logistic regression of treatment on the design matrix (an intercept is added)."""
    names = ["(Intercept)", *design.columns]
    separating = separating_columns(design, treat)
    if separating:
        raise MatchingError(
            f"{', '.join(separating)} separates treated from comparison people completely (no value is shared "
            f"by both groups), so no propensity score can be estimated and nobody could be matched on it: "
            f"remove it from the covariates, or choose a comparison pool where it overlaps"
        )
    x = np.column_stack([np.ones(len(design)), design.to_numpy(dtype=float)])
    keep = _independent_columns(x)
    aliased = [names[j] for j in range(len(names)) if j not in keep]
    try:
        beta, iterations, converged = _irls_logit(x[:, keep], treat.astype(float))
    except np.linalg.LinAlgError as exc:
        raise MatchingError(
            f"the propensity model could not be fitted ({exc}): some covariates are (nearly) combinations of "
            f"others among the people the model relies on; remove one of {', '.join(names[j] for j in keep[1:])} "
            f"that duplicates another"
        ) from exc
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
    ties: str = "share",
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
    if ties != "data":
        _match_stratum_ties(
            cd_list,
            td_list,
            ins_list,
            sorted_controls,
            sequence,
            ratio,
            replace,
            caliper,
            rows,
            rng if ties == "random" else None,
        )
        return
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


def _match_stratum_ties(
    cd: list[float],
    td: list[float],
    ins: list[int],
    sorted_controls: np.ndarray,
    sequence: np.ndarray,
    ratio: int,
    replace: bool,
    caliper: float | None,
    rows: list[list[int]],
    rng: np.random.Generator | None,
) -> None:
    """Greedy matching where equally near controls are a tie group, never chosen by their row order.

    `rng` None: the whole tie group joins the matched set and the set's weight is shared (Stata's
    `teffects psmatch`). Otherwise one member of the group is drawn with `rng`. Within a pass a treated
    unit takes its nearest group; with replacement it takes every control no farther than its k-th nearest.
    """
    n_c = len(cd)

    def near(d: float, c: float) -> bool:
        return caliper is None or abs(d - c) <= caliper

    if replace:
        for i in sequence.tolist():
            left, right, d = ins[i] - 1, ins[i], td[i]
            taken: list[int] = []
            kth: float | None = None
            while True:
                dl = abs(d - cd[left]) if left >= 0 and near(d, cd[left]) else None
                dr = abs(cd[right] - d) if right < n_c and near(d, cd[right]) else None
                best = min((x for x in (dl, dr) if x is not None), default=None)
                if best is None or (kth is not None and best > kth + TIE_TOLERANCE):
                    break
                group = []
                while left >= 0 and near(d, cd[left]) and abs(d - cd[left]) <= best + TIE_TOLERANCE:
                    group.append(left)
                    left -= 1
                while right < n_c and near(d, cd[right]) and abs(cd[right] - d) <= best + TIE_TOLERANCE:
                    group.append(right)
                    right += 1
                if rng is not None and len(taken) + len(group) > ratio:
                    group = sorted(rng.choice(group, ratio - len(taken), replace=False).tolist())
                taken.extend(group)
                if len(taken) >= ratio:
                    if rng is not None:
                        break
                    kth = best
            rows[i].extend(int(sorted_controls[p]) for p in sorted(taken))
        return

    available = _Available(n_c)
    passes = [0] * len(rows)
    for r in range(ratio):
        for i in sequence.tolist():
            if passes[i] < r or len(rows[i]) >= ratio:
                continue
            d = td[i]
            left = available.left_of(ins[i] - 1) if ins[i] > 0 else -1
            right = available.right_of(ins[i])
            dl = abs(d - cd[left]) if left >= 0 and near(d, cd[left]) else None
            dr = abs(cd[right] - d) if right < n_c and near(d, cd[right]) else None
            best = min((x for x in (dl, dr) if x is not None), default=None)
            if best is None:
                continue
            group = []
            while left >= 0 and abs(d - cd[left]) <= best + TIE_TOLERANCE and near(d, cd[left]):
                group.append(left)
                left = available.left_of(left - 1) if left > 0 else -1
            while right < n_c and abs(cd[right] - d) <= best + TIE_TOLERANCE and near(d, cd[right]):
                group.append(right)
                right = available.right_of(right + 1)
            if rng is not None:
                group = [int(rng.choice(group))]
            for p in sorted(group):
                rows[i].append(int(sorted_controls[p]))
                available.take(p)
            passes[i] += 1


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
    ties: str = "share",
) -> MatchResult:
    """Greedy nearest-neighbour matching on `distance`; `exact` holds one stratum code per unit.

    `ties`: "share" (all equally near controls kept, weight shared), "random" (one drawn with `seed`) or
    "data" (MatchIt's choice, which follows the row order of the input).
    """
    if ties not in TIE_RULES:
        raise MatchingError(f"matching.ties must be one of {', '.join(TIE_RULES)}, not {ties!r}")
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
        _match_stratum(distance, t_idx, c_idx, order, ratio, replace, width, rng, rows, ties)
    widest = max([ratio, *(len(v) for v in rows.values())])
    mm = np.full((len(treated_rows), widest), -1, dtype=np.int64)
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
