"""Selection rates, relative rate ratios with 95% intervals, and small-number suppression, on counts.

For one dimension (ethnicity, sex, age band) and one base population (the area's offenders, the
resident population, or a panel's candidates) each group has `selected` people of `base`. Its
selection rate is selected / base; its relative rate ratio is that rate over the reference group's
rate, with the 95% interval by the log method (Katz): exp(ln RR ± 1.96 × √(1/a − 1/n₁ + 1/c − 1/n₂)),
as statsmodels' `Table2x2.riskratio_confint` computes it. docs/fairness.md has the formulas.

Counts from 1 to the threshold − 1 are never shown: they become "fewer than N" (primary), and
further counts are withheld so that none can be worked out from the totals (secondary), by the same
`protect` as the national returns. A rate or ratio is shown only when every count behind it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from openiom.returns.disclosure import DisclosureConfig, Relation, Shown, protect

# Groups never used as the reference: people whose group is not known.
NOT_KNOWN = frozenset({"NS", "NR", "X"})


@dataclass(frozen=True)
class GroupCount:
    group: str
    selected: int
    base: int


@dataclass(frozen=True)
class RateRow:
    """One group's figures as they may be shown: a count is None when suppressed, and `shown`
    says how (value, small: "fewer than N", withheld). `note` says why a ratio is missing."""

    dimension: str
    comparison: str
    group: str
    reference: str
    selected: int | None
    selected_shown: str
    base: int | None
    base_shown: str
    rate: float | None
    ratio: float | None
    low: float | None
    high: float | None
    note: str  # "" | reference | suppressed | reference_suppressed | none_selected | inconsistent

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def rate_ratio(a: int, n1: int, c: int, n2: int, *, alpha: float = 0.05) -> tuple[float, float, float] | None:
    """(ratio, low, high) of a/n1 over c/n2 with the log-method interval; None where the log of
    the ratio is undefined (no one selected in either group, or an empty group)."""
    if a <= 0 or c <= 0 or n1 <= 0 or n2 <= 0 or a > n1 or c > n2:
        return None
    import numpy as np
    from statsmodels.stats.contingency_tables import Table2x2

    table = Table2x2(np.array([[a, n1 - a], [c, n2 - c]], dtype=float))
    low, high = table.riskratio_confint(alpha=alpha, method="normal")
    return float(table.riskratio), float(low), float(high)


def reference_group(counts: Sequence[GroupCount]) -> str | None:
    """The largest known group of the base population in which anyone is selected (a rate of 0
    compares with nothing); without one, the largest known group. Ties: the first in order."""
    known = [c for c in counts if c.group not in NOT_KNOWN and c.base > 0]
    chosen = [c for c in known if c.selected > 0] or known
    return max(chosen, key=lambda c: c.base).group if chosen else None


def shown_counts(
    counts: Sequence[GroupCount], config: DisclosureConfig, *, base_public: bool = False
) -> dict[str, Shown]:
    """How each count may be shown: cells `selected:G`, `base:G` and `not:G` (base − selected),
    with the totals over groups. A supplied resident table is public (`base_public`), so only its
    selected counts are protected."""
    values: dict[str, int] = {}
    for c in counts:
        values[f"selected:{c.group}"] = c.selected
        values[f"not:{c.group}"] = max(c.base - c.selected, 0)
        values[f"base:{c.group}"] = c.selected + values[f"not:{c.group}"]
    groups = [c.group for c in counts]
    relations = [Relation("selected:*", tuple(f"selected:{g}" for g in groups))]
    values["selected:*"] = sum(c.selected for c in counts)
    if not base_public:
        relations.append(Relation("base:*", tuple(f"base:{g}" for g in groups)))
        relations.append(Relation("not:*", tuple(f"not:{g}" for g in groups)))
        relations += [Relation(f"base:{g}", (f"selected:{g}", f"not:{g}")) for g in groups]
        values["base:*"] = sum(values[f"base:{g}"] for g in groups)
        values["not:*"] = sum(values[f"not:{g}"] for g in groups)
    try:
        shown = protect(values, relations, config)
    except ValueError:
        # Nothing can be published safely: hide every count.
        shown = dict.fromkeys(values, Shown.WITHHELD)
    if base_public:
        for g in groups:
            shown[f"base:{g}"] = Shown.VALUE
    return shown


def rate_rows(
    dimension: str,
    comparison: str,
    counts: Sequence[GroupCount],
    config: DisclosureConfig,
    *,
    base_public: bool = False,
    reference: str | None = None,
) -> list[RateRow]:
    """Every group's rate and its ratio to the reference group's, suppressed as `shown_counts` says."""
    shown = shown_counts(counts, config, base_public=base_public)
    reference = reference or reference_group(counts)
    by_group = {c.group: c for c in counts}

    def visible(group: str) -> bool:
        cells = (f"selected:{group}", f"base:{group}") + (() if base_public else (f"not:{group}",))
        return all(shown[k] is Shown.VALUE for k in cells)

    rows = []
    for c in counts:
        ok = visible(c.group)
        ratio: tuple[float, float, float] | None = None
        note = ""
        if c.selected > c.base:
            ok, note = False, "inconsistent"
        elif not ok:
            note = "suppressed"
        elif reference is None or not visible(reference):
            note = "reference_suppressed"
        elif by_group[reference].selected == 0:
            note = "none_selected"
        elif c.group == reference:
            note = "reference"
            ratio = (1.0, 1.0, 1.0)
        else:
            ref = by_group[reference]
            ratio = rate_ratio(c.selected, c.base, ref.selected, ref.base)
            if ratio is None:
                note = "none_selected"
        rows.append(
            RateRow(
                dimension=dimension,
                comparison=comparison,
                group=c.group,
                reference=reference or "",
                selected=c.selected if shown[f"selected:{c.group}"] is Shown.VALUE else None,
                selected_shown=str(shown[f"selected:{c.group}"]),
                base=c.base if shown[f"base:{c.group}"] is Shown.VALUE else None,
                base_shown=str(shown[f"base:{c.group}"]),
                rate=c.selected / c.base if ok and c.base else None,
                ratio=_finite(ratio[0]) if ratio and note != "reference" else (1.0 if ratio else None),
                low=_finite(ratio[1]) if ratio and note != "reference" else None,
                high=_finite(ratio[2]) if ratio and note != "reference" else None,
                note=note,
            )
        )
    return rows


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
