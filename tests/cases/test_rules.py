"""The case rules as plain functions: no database."""

from __future__ import annotations

import pytest

from openiom.cases import rules
from openiom.cases.models import ReferralStatus as S


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (S.SENT, S.ACCEPTED, True),
        (S.SENT, S.STARTED, False),
        (S.SENT, S.COMPLETED, False),
        (S.ACCEPTED, S.STARTED, True),
        (S.STARTED, S.COMPLETED, True),
        (S.STARTED, S.ACCEPTED, False),
        (S.COMPLETED, S.STARTED, False),
        (S.DECLINED, S.ACCEPTED, False),
    ],
)
def test_referral_moves_only_forward(current: str, new: str, allowed: bool) -> None:
    problem = rules.referral_transition_problem(current, new, reason="a reason")
    assert (problem is None) is allowed


def test_declining_or_disengaging_needs_a_reason() -> None:
    assert "reason" in (rules.referral_transition_problem(S.SENT, S.DECLINED, "") or "")
    assert rules.referral_transition_problem(S.STARTED, S.DISENGAGED, " ") is not None
    assert rules.referral_transition_problem(S.STARTED, S.DISENGAGED, "Stopped attending") is None


def test_need_met_is_read_from_the_recorded_outcome_not_the_status() -> None:
    assert rules.need_met("high", [(S.DISENGAGED, "disengaged"), (S.COMPLETED, "treatment_completed")]).met
    assert rules.need_met("high", [(S.COMPLETED, "completed_not_met")]).met is False
    assert rules.need_met("high", [(S.COMPLETED, "")]).met is None  # closed, outcome not recorded
    assert rules.need_met("high", [(S.STARTED, "")]).met is None
    assert rules.need_met("high", [(S.SENT, "")]).met is None
    assert rules.need_met("high", [(S.DECLINED, "declined"), (S.NO_PROVISION, "no_provision")]).met is False
    verdict = rules.need_met("medium", [])
    assert verdict.met is False and "No referral" in verdict.reason
    assert rules.need_met("none", []).met is True


def test_a_closing_referral_records_an_outcome_that_fits_how_it_closed() -> None:
    assert rules.referral_outcome_problem(S.COMPLETED, "") is not None
    assert rules.referral_outcome_problem(S.COMPLETED, "declined") is not None
    assert rules.referral_outcome_problem(S.COMPLETED, "engaged") is None
    assert rules.referral_outcome_problem(S.ACCEPTED, "engaged") is not None
    assert rules.referral_outcome_problem(S.ACCEPTED, "") is None


def test_only_the_statuses_allowed_next_are_offered() -> None:
    assert rules.next_statuses(S.SENT) == [S.ACCEPTED, S.DECLINED, S.NO_PROVISION]
    assert rules.next_statuses(S.STARTED) == [S.COMPLETED, S.DISENGAGED]
    assert rules.next_statuses(S.COMPLETED) == []


def test_plan_activation_needs_requirements_actions_for_needs_and_victim_safety() -> None:
    needs = [rules.NeedRow("accommodation", "high", ""), rules.NeedRow("ete", "low", "Already in work")]
    problems = rules.plan_activation_problems(
        requirements=0, needs=needs, action_pathways=[], domestic_abuse=True, victim_safety_actions=0
    )
    assert len(problems) == 3
    assert any("requirement" in p for p in problems)
    assert any("accommodation" in p for p in problems)
    assert any("victim-safety" in p for p in problems)
    assert (
        rules.plan_activation_problems(
            requirements=1,
            needs=needs,
            action_pathways=["accommodation"],
            domestic_abuse=True,
            victim_safety_actions=1,
        )
        == []
    )


def test_a_decision_needs_a_rationale_and_mappa_needs_an_override() -> None:
    base = {"stream": "fixed", "lead_agency": object(), "start_date": object(), "mappa_override": ""}
    assert "rationale" in rules.decision_problems(decision="decline", rationale="", mappa_level=0, **base)
    assert rules.decision_problems(decision="adopt", rationale="x" * 25, mappa_level=0, **base) == {}
    problems = rules.decision_problems(decision="adopt", rationale="x" * 25, mappa_level=2, **base)
    assert set(problems) == {"mappa_override"}
    base["mappa_override"] = "Joint management agreed with the MAPPA chair"
    assert rules.decision_problems(decision="adopt", rationale="x" * 25, mappa_level=2, **base) == {}
    missing = rules.decision_problems(
        decision="adopt",
        rationale="x" * 25,
        mappa_level=0,
        stream="",
        lead_agency=None,
        start_date=None,
        mappa_override="",
    )
    assert set(missing) == {"stream", "lead_agency", "start_date"}


@pytest.mark.parametrize(
    ("risk_review", "due"),
    [(None, True), (14, True), (15, False), (-3, True)],
)
def test_a_risk_review_is_due_when_unset_or_within_two_weeks(risk_review: int | None, due: bool) -> None:
    from datetime import date, timedelta

    today = date(2026, 11, 30)
    found = rules.attention(
        overdue_reviews=0,
        referrals_waiting=0,
        missed_appointments=0,
        risk_review_date=None if risk_review is None else today + timedelta(days=risk_review),
        today=today,
    )
    assert found.risk_review_due is due
    assert found.score == int(due)


def test_attention_counts_each_kind_of_problem_once() -> None:
    from datetime import date

    found = rules.attention(
        overdue_reviews=3,
        referrals_waiting=2,
        missed_appointments=0,
        risk_review_date=date(2027, 1, 1),
        today=date(2026, 11, 30),
    )
    assert found.score == 2
