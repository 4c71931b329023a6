"""OGRS3 (Howard et al. 2009, MoJ Research Summary 7/09) as coded by the MoJ (iom-domain.md §7).

`ogrs3_linear` is the plain-Python form used for reasons and tests; the engines compute the same
sum in SQL (`openiom.cohorts.engine.rules`), from the same coefficient tables below.
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


def age_gender_term(age: int, sex: str) -> float | None:
    """None when OGRS3 cannot score the person (under 10, or sex not recorded as M or F)."""
    if age < 10 or sex not in ("M", "F"):
        return None
    term = None
    for lowest, male, female in AGE_GENDER:
        if age >= lowest:
            term = male if sex == "M" else female
    return term


def copas_term(total_sanctions: int, age_at_current: int, age_at_first: int) -> float:
    previous = total_sanctions - 1
    return COPAS * math.log((1 + previous) / (10 + age_at_current - age_at_first))


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


def ogrs3_linear(
    *, age: int, sex: str, total_sanctions: int, age_at_current: int, age_at_first: int, offence_weight: float
) -> float | None:
    term = age_gender_term(age, sex)
    if term is None or total_sanctions < 1:
        return None
    status = FIRST_SANCTION if total_sanctions == 1 else REPEAT_SANCTION
    return term + status + copas_term(total_sanctions, age_at_current, age_at_first) + offence_weight


def linear_threshold(at_least_percent: int, horizon_years: int) -> float:
    """The linear score at which the rounded percentage reaches `at_least_percent`.

    round(100 p) >= T  <=>  p >= (T - 0.5) / 100, and p is increasing in the linear score, so the
    engines compare the linear score with this constant instead of rounding in SQL.
    """
    p = (at_least_percent - 0.5) / 100
    return math.log(p / (1 - p)) - INTERCEPT[horizon_years]
