"""Each case-quality indicator on small hand-made cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from openiom.performance.indicators import (
    CaseFacts,
    IndicatorConfigError,
    by_group,
    evaluate,
    load_config,
    working_days_between,
)

AS_OF = date(2026, 6, 15)
CONFIG = load_config()
GOOD = CaseFacts(
    case_id=1,
    label="A",
    stream="flex",
    team="Police",
    workers=("Pat", "Sam"),
    start_date=date(2025, 1, 1),
    rationale_recorded=True,
    plan_active=True,
    requirements=1,
    involved_agencies=frozenset({1, 2}),
    action_agencies=frozenset({1, 2, 3}),
    risk_level="high",
    risk_review_date=AS_OF,
    contact_dates=tuple(date(2026, m, d) for m in (3, 4, 5) for d in (5, 20)),
)


def result(cases: list[CaseFacts], code: str):  # type: ignore[no-untyped-def]
    return next(r for r in evaluate(cases, CONFIG, AS_OF) if r.definition.code == code)


def counts(cases: list[CaseFacts], code: str) -> tuple[int, int]:
    r = result(cases, code)
    return len(r.numerator), r.denominator


def test_selection_rationale() -> None:
    assert counts([GOOD, replace(GOOD, case_id=2, rationale_recorded=False)], "selection_rationale") == (1, 2)


def test_plan_needs_activity_a_requirement_and_an_action_for_each_involved_agency() -> None:
    cases = [
        GOOD,
        replace(GOOD, case_id=2, plan_active=False),
        replace(GOOD, case_id=3, requirements=0),
        replace(GOOD, case_id=4, action_agencies=frozenset({1})),  # agency 2 has nothing to do
    ]
    r = result(cases, "plan_requirements")
    assert [c.case_id for c in r.numerator] == [1] and [c.case_id for c in r.attention] == [2, 3, 4]
    assert r.rate == 25 and r.rag == "red"


def test_working_days_skip_weekends_and_listed_holidays() -> None:
    assert working_days_between(date(2026, 6, 12), date(2026, 6, 15)) == 1  # Friday to Monday
    assert working_days_between(date(2026, 6, 1), date(2026, 6, 15)) == 10
    assert working_days_between(date(2026, 6, 1), date(2026, 6, 15), (date(2026, 6, 8),)) == 9
    assert working_days_between(date(2026, 6, 15), date(2026, 6, 15)) == 0


def test_substance_misuse_need_referral_in_ten_working_days_then_treatment() -> None:
    need = date(2026, 6, 1)
    cases = [
        replace(GOOD, drug_need_on=need, drug_referral_on=date(2026, 6, 15), drug_treatment_started=True),
        replace(GOOD, case_id=2, drug_need_on=need, drug_referral_on=date(2026, 6, 16)),  # 11 working days
        replace(GOOD, case_id=3, drug_need_on=need),  # never referred
        replace(GOOD, case_id=4),  # no need: not in the denominator
    ]
    assert counts(cases, "substance_referral") == (1, 3)
    assert counts(cases, "substance_treatment") == (1, 3)
    assert result(cases, "substance_referral").definition.restricted


def test_accommodation_need_met() -> None:
    cases = [
        replace(GOOD, accommodation_need=True, accommodation_met=True),
        replace(GOOD, case_id=2, accommodation_need=True),
        replace(GOOD, case_id=3),
    ]
    assert counts(cases, "accommodation_met") == (1, 2)


def test_risk_assessment_in_date() -> None:
    cases = [
        GOOD,
        replace(GOOD, case_id=2, risk_review_date=date(2026, 6, 14)),
        replace(GOOD, case_id=3, risk_level=""),
        replace(GOOD, case_id=4, risk_review_date=None),
    ]
    assert counts(cases, "risk_in_date") == (1, 4)


def test_domestic_abuse_victim_safety_and_safeguarding_referral() -> None:
    cases = [
        replace(GOOD, domestic_abuse=True, victim_safety_action=True, safeguarding=True),
        replace(GOOD, case_id=2, domestic_abuse=True, safeguarding=True, safeguarding_referral=True),
        replace(GOOD, case_id=3),
    ]
    assert counts(cases, "victim_safety") == (1, 2)
    assert counts(cases, "safeguarding_referral") == (1, 2)


def test_contacts_against_the_streams_expected_frequency() -> None:
    cases = [
        GOOD,  # flex: 2 a month expected, 2 a month in March to May
        replace(GOOD, case_id=2, stream="fixed"),  # 4 a month expected
        replace(GOOD, case_id=3, contact_dates=GOOD.contact_dates[:-1]),
        replace(GOOD, case_id=4, start_date=date(2026, 6, 1), contact_dates=()),  # started this month
        replace(GOOD, case_id=5, stream="local"),  # no expectation set: left out
        # Started mid-April: only the time since counts (about 1.5 months, so 3 contacts).
        replace(
            GOOD,
            case_id=6,
            start_date=date(2026, 4, 16),
            contact_dates=(date(2026, 4, 20), date(2026, 5, 5), date(2026, 5, 20)),
        ),
    ]
    r = result(cases, "contact_frequency")
    assert sorted(c.case_id for c in r.numerator) == [1, 4, 6] and r.denominator == 5


def test_reviews_overdue_lower_is_better() -> None:
    cases = [GOOD] * 19 + [replace(GOOD, case_id=2, overdue_reviews=1)]
    r = result(cases, "reviews_overdue")
    assert (len(r.numerator), r.denominator, r.rate, r.rag) == (1, 20, 5, "green")
    assert [c.case_id for c in r.attention] == [2]


def test_no_cases_is_no_rating_not_a_score() -> None:
    r = result([], "selection_rationale")
    assert r.rate is None and r.rag == "none"


def test_by_team_and_worker() -> None:
    cases = [GOOD, replace(GOOD, case_id=2, team="Probation", workers=("Sam",), rationale_recorded=False)]
    teams = dict(by_group(cases, CONFIG, AS_OF, "team"))
    assert set(teams) == {"Police", "Probation"}
    workers = dict(by_group(cases, CONFIG, AS_OF, "worker"))
    sam = next(r for r in workers["Sam"] if r.definition.code == "selection_rationale")
    assert (len(sam.numerator), sam.denominator) == (1, 2)


def test_thresholds_are_data_and_a_bad_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "indicators.yaml"
    bad.write_text(
        "working_days_to_referral: 10\ncontact_months: 3\nthresholds:\n  nonsense: {green: 1, amber: 0}\n"
    )
    with pytest.raises(IndicatorConfigError, match=r"thresholds\.nonsense: no such indicator"):
        load_config(bad)
