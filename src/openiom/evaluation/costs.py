"""Cost-benefit: the cost of crime avoided against the programme's cost, with the uncertainty carried.

Each person's cost of crime is the sum of the Home Office unit costs of their proven reoffences (by the
offence's cost category in the reference data, times an optional price uplift). The effect on that
per-person cost is estimated exactly like any other outcome, so its confidence interval already carries
the uncertainty of the effect on how often, and on which offences, people reoffend (including the
covariance between categories). It equals Σ over categories of (effect on frequency × unit cost).

Reoffences whose offence has no cost category, or whose category has no unit cost in the reference data,
are **not costed**; they are counted and reported, never silently treated as costing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from openiom.evaluation.effects import Estimate, estimate


def money(value: float, digits: int = 0) -> str:
    """£1,234 or −£1,234 (a minus sign before the pound sign, as GOV.UK style has it)."""
    return f"{'−' if value < 0 else ''}£{abs(value):,.{digits}f}"


@dataclass
class CostBenefit:
    price_base: str
    uplift: float
    cost_effect: Estimate
    avoided_per_person: float
    avoided_ci: tuple[float, float]
    by_category: list[dict[str, object]]
    not_costed: dict[str, Any]
    programme_cost_per_person: float | None
    n_treated: int
    notes: list[str] = field(default_factory=list)

    @property
    def net_per_person(self) -> tuple[float, float, float] | None:
        if self.programme_cost_per_person is None:
            return None
        p = self.programme_cost_per_person
        return self.avoided_per_person - p, self.avoided_ci[0] - p, self.avoided_ci[1] - p

    @property
    def benefit_cost_ratio(self) -> tuple[float, float, float] | None:
        p = self.programme_cost_per_person
        if not p:
            return None
        return self.avoided_per_person / p, self.avoided_ci[0] / p, self.avoided_ci[1] / p

    def as_dict(self) -> dict[str, object]:
        return {
            "price_base": self.price_base,
            "unit_cost_uplift": self.uplift,
            "cost_effect": self.cost_effect.as_dict(),
            "avoided_per_person": self.avoided_per_person,
            "avoided_per_person_ci": list(self.avoided_ci),
            "avoided_total": self.avoided_per_person * self.n_treated,
            "avoided_total_ci": [self.avoided_ci[0] * self.n_treated, self.avoided_ci[1] * self.n_treated],
            "by_category": self.by_category,
            "not_costed": self.not_costed,
            "programme_cost_per_person": self.programme_cost_per_person,
            "net_benefit_per_person": list(self.net_per_person) if self.net_per_person else None,
            "benefit_cost_ratio": list(self.benefit_cost_ratio) if self.benefit_cost_ratio else None,
            "break_even_cost_per_person": self.avoided_per_person,
            "break_even_cost_per_person_95_lower": self.avoided_ci[0],
            "n_treated": self.n_treated,
            "notes": self.notes,
        }

    def plain_language(self) -> list[str]:
        lo, hi = self.avoided_ci
        lines = [
            f"Per person treated, the estimated cost of crime avoided in the year is {money(self.avoided_per_person)} "
            f"(95% confidence interval {money(lo)} to {money(hi)}; {self.price_base} prices). "
            f"Across the {self.n_treated} people treated that is {money(self.avoided_per_person * self.n_treated)} "
            f"({money(lo * self.n_treated)} to {money(hi * self.n_treated)})."
        ]
        if lo <= 0 <= hi:
            lines.append(
                "The interval includes zero, so it is inconclusive whether the programme avoided any cost of crime."
            )
        net = self.net_per_person
        ratio = self.benefit_cost_ratio
        if net is not None and self.programme_cost_per_person is not None:
            p = self.programme_cost_per_person
            verdict = (
                "pays for itself in avoided crime with 95% confidence"
                if net[1] > 0
                else "costs more than the crime it avoids, with 95% confidence"
                if net[2] < 0
                else "may or may not pay for itself: the interval includes break-even"
            )
            lines.append(
                f"At a programme cost of {money(p)} per person, the net benefit is {money(net[0])} per person "
                f"({money(net[1])} to {money(net[2])}); the programme {verdict}."
            )
            if ratio is not None:
                lines.append(
                    f"Each £1 spent is estimated to avoid {money(ratio[0], 2)} of crime costs "
                    f"({money(ratio[1], 2)} to {money(ratio[2], 2)})."
                )
        if self.avoided_per_person <= 0:
            lines.append("Break-even: on this estimate no programme cost is recovered through crime avoided.")
        elif lo > 0:
            lines.append(
                f"Break-even: the programme pays for itself if it costs less than {money(self.avoided_per_person)} "
                f"per person (point estimate), and with 95% confidence if it costs less than {money(lo)}."
            )
        else:
            lines.append(
                f"Break-even: the programme pays for itself if it costs less than {money(self.avoided_per_person)} "
                f"per person on the point estimate; because the interval includes zero, no programme cost can be "
                f"said to break even with 95% confidence."
            )
        if self.not_costed["treated_per_100"] or self.not_costed["comparison_per_100"]:
            lines.append(
                f"Not costed: {self.not_costed['treated_per_100']:.1f} reoffences per 100 treated people and "
                f"{self.not_costed['comparison_per_100']:.1f} per 100 comparison people have no unit cost in the "
                f"reference data, so the cost of crime above leaves them out."
            )
        return lines


def cost_benefit(
    frame: pd.DataFrame,
    by_category: pd.DataFrame,
    weights: np.ndarray,
    clusters: np.ndarray | None,
    *,
    programme_cost: float | None,
    price_base: str,
    uplift: float,
    programme_price_base: str | None,
) -> CostBenefit | None:
    """`frame` holds person_key, treated, cost_of_crime, uncosted_reoffences for the matched sample."""
    treat = frame["treated"].to_numpy(dtype=int)
    cost_effect = estimate(
        "cost_of_crime", frame["cost_of_crime"].to_numpy(dtype=float), treat, weights, clusters
    )
    if cost_effect is None:
        return None
    rows: list[dict[str, object]] = []
    wide = (
        by_category.pivot_table(
            index="person_key", columns="cost_category", values="reoffences", aggfunc="sum"
        )
        .reindex(frame["person_key"])
        .fillna(0)
    )
    unit_costs = by_category.groupby("cost_category")["unit_cost"].first()
    for category in sorted(wide.columns):
        est = estimate(
            "reoffending_frequency", wide[category].to_numpy(dtype=float), treat, weights, clusters
        )
        if est is None:
            continue
        unit = unit_costs.get(category)
        costed = unit is not None and not pd.isna(unit)
        rows.append(
            {
                "cost_category": category,
                "treated_per_100": est.treated_mean * 100,
                "comparison_per_100": est.control_mean * 100,
                "difference_per_100": est.difference * 100,
                "difference_ci_per_100": [est.ci_low * 100, est.ci_high * 100],
                "unit_cost": float(unit) if costed else None,
                "avoided_per_person": -est.difference * float(unit) if costed else None,
                "avoided_ci": sorted([-est.ci_high * float(unit), -est.ci_low * float(unit)])
                if costed
                else None,
            }
        )
    uncosted = frame["uncosted_reoffences"].to_numpy(dtype=float)
    w_t, w_c = weights * (treat == 1), weights * (treat == 0)
    not_costed: dict[str, Any] = {
        "treated_per_100": float((uncosted * w_t).sum() / w_t.sum() * 100),
        "comparison_per_100": float((uncosted * w_c).sum() / w_c.sum() * 100),
        "categories": [r["cost_category"] for r in rows if r["unit_cost"] is None],
    }
    notes = []
    if uplift != 1.0:
        notes.append(f"Unit costs multiplied by {uplift} to move them from their {price_base} price base.")
    if programme_price_base and programme_price_base != price_base and uplift == 1.0:
        notes.append(
            f"The programme cost is in {programme_price_base} prices but the unit costs are in {price_base} "
            f"prices and no uplift was set (costs.unit_cost_uplift): the comparison mixes price bases."
        )
    return CostBenefit(
        price_base=price_base,
        uplift=uplift,
        cost_effect=cost_effect,
        avoided_per_person=-cost_effect.difference,
        avoided_ci=(-cost_effect.ci_high, -cost_effect.ci_low),
        by_category=rows,
        not_costed=not_costed,
        programme_cost_per_person=programme_cost,
        n_treated=cost_effect.n_treated,
        notes=notes,
    )
