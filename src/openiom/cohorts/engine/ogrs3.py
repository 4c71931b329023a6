"""OGRS3 (Howard et al. 2009, MoJ Research Summary 7/09) as coded by the MoJ (iom-domain.md §7).

The engines compute the linear score in SQL (`openiom.cohorts.engine.rules`) from the coefficient
tables below; this module turns a score into percentages and a band, and a percentage into a score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INTERCEPT = {1: 1.40256, 2: 2.1217}
FIRST_SANCTION = 0.12614
REPEAT_SANCTION = 0.46306
COPAS = 1.25112
# (lowest age in band, male term, female term); bands run to the next band's lowest age.
AGE_GENDER: tuple[tuple[int, float, float], ...] = (
    (10, 0.0, 0.785),
    (12, 0.08392, 0.61385),
    (14, 0.07578, 0.66952),
    (16, -0.0616, -0.9592),
    (18, -0.6251, -0.8975),
    (21, -1.0515, -1.0285),
    (25, -1.1667, -1.0528),
    (30, -1.326, -1.1291),
    (35, -1.368, -1.4219),
    (40, -1.4997, -1.5247),
    (50, -2.0253, -2.4498),
)
BANDS = ((90, "Very high"), (75, "High"), (50, "Medium"), (0, "Low"))


@dataclass(frozen=True)
class Ogrs3Result:
    linear: float
    one_year_percent: int
    two_year_percent: int
    band: str


def percent(linear: float, horizon_years: int) -> int:
    z = INTERCEPT[horizon_years] + linear
    # Half up, matching linear_threshold (Python's round() would round halves to even).
    return math.floor(100 * math.exp(z) / (1 + math.exp(z)) + 0.5)


def band(two_year_percent: int) -> str:
    return next(name for lowest, name in BANDS if two_year_percent >= lowest)


def result_from_linear(linear: float) -> Ogrs3Result:
    two = percent(linear, 2)
    return Ogrs3Result(linear, percent(linear, 1), two, band(two))


def linear_threshold(at_least_percent: int, horizon_years: int) -> float:
    """The linear score at which the rounded percentage reaches `at_least_percent`.

    round(100 p) >= T  <=>  p >= (T - 0.5) / 100, and p is increasing in the linear score, so the
    engines compare the linear score with this constant instead of rounding in SQL.
    """
    p = (at_least_percent - 0.5) / 100
    return math.log(p / (1 - p)) - INTERCEPT[horizon_years]
