"""The rules issue 14 adds: the plan gate, dates, closed cases and owners. Plain functions, no database."""

from __future__ import annotations

from datetime import date

from openiom.cases import rules

TODAY = date(2026, 11, 30)


def test_a_one_word_requirement_is_refused_and_one_needs_a_way_to_check_it() -> None:
    assert set(rules.requirement_problems(text="Attend", how_checked="")) == {"text", "how_checked"}
    assert "words" in rules.requirement_problems(text="Attend", how_checked="Service confirms")["text"]
    assert (
        rules.requirement_problems(
            text="Attend weekly sessions at the recovery hub", how_checked="Attendance confirmed by the hub"
        )
        == {}
    )


def test_the_plan_gate_counts_only_concrete_requirements() -> None:
    vague = ("Attend", "")
    concrete = ("Attend weekly sessions at the recovery hub", "The hub confirms attendance")
    assert rules.concrete_requirements([vague]) == 0
    assert rules.concrete_requirements([vague, concrete]) == 1
    problems = rules.plan_activation_problems(
        requirements=0, needs=[], action_pathways=[], domestic_abuse=False, victim_safety_actions=0
    )
    assert problems == [
        "Add at least one requirement that says what the person must do, by when and how it is checked"
    ]


def test_the_plan_gate_wants_an_action_owned_by_each_agency_involved() -> None:
    problems = rules.agency_action_problems(
        agencies_involved={1: "Police", 2: "Probation", 3: "Recovery"}, action_agencies=[2, 2]
    )
    assert problems == [
        "Police is involved in the case but owns no action in the plan",
        "Recovery is involved in the case but owns no action in the plan",
    ]
    assert rules.agency_action_problems(agencies_involved={1: "P"}, action_agencies=[1]) == []


def test_attended_contacts_are_not_in_the_future_but_booked_ones_may_be() -> None:
    tomorrow = date(2026, 12, 1)
    assert rules.contact_date_problem(on=tomorrow, outcome="attended", today=TODAY) is not None
    assert rules.contact_date_problem(on=tomorrow, outcome="missed", today=TODAY) is not None
    assert rules.contact_date_problem(on=tomorrow, outcome="planned", today=TODAY) is None
    assert rules.contact_date_problem(on=TODAY, outcome="attended", today=TODAY) is None


def test_due_dates_are_not_before_the_case_started() -> None:
    start = date(2026, 6, 1)
    assert "1 June 2026" in (rules.due_date_problem(due=date(2026, 5, 31), case_start=start) or "")
    assert rules.due_date_problem(due=start, case_start=start) is None
    assert rules.due_date_problem(due=date(2020, 1, 1), case_start=None) is None


def test_referral_dates_run_sent_accepted_started_closed_then_today() -> None:
    dates = {"sent_on": date(2026, 11, 10), "accepted_on": date(2026, 11, 12), "started_on": None}
    assert (
        rules.referral_date_problem(
            dates={**dates, "started_on": date(2026, 11, 11)}, field="started_on", today=TODAY
        )
        == "The date cannot be before the referral was accepted on 12 November 2026"
    )
    assert (
        rules.referral_date_problem(
            dates={**dates, "started_on": date(2026, 12, 5)}, field="started_on", today=TODAY
        )
        == "The date cannot be in the future"
    )
    assert rules.referral_date_problem(
        dates={"sent_on": date(2026, 11, 10), "closed_on": date(2026, 11, 9)}, field="closed_on", today=TODAY
    )
    assert (
        rules.referral_date_problem(dates={**dates, "started_on": TODAY}, field="started_on", today=TODAY)
        is None
    )


def test_a_review_is_due_after_today_and_after_the_last_review() -> None:
    assert rules.review_date_problem(next_due=TODAY, today=TODAY, last_review=None) is not None
    last = date(2027, 1, 10)
    assert "10 January 2027" in (
        rules.review_date_problem(next_due=date(2027, 1, 5), today=TODAY, last_review=last) or ""
    )
    assert rules.review_date_problem(next_due=date(2027, 1, 11), today=TODAY, last_review=last) is None


def test_a_closed_case_changes_only_by_a_reopen_with_a_reason() -> None:
    assert rules.case_closed_problem("exited") and rules.case_closed_problem("declined")
    assert rules.case_closed_problem("active") is None
    assert rules.reopen_problem(status="active", reason="x" * 30)
    assert rules.reopen_problem(status="exited", reason="Because")
    assert rules.reopen_problem(status="exited", reason="Arrested again for burglary; panel agreed") == {}


def test_an_action_owner_works_for_the_owning_agency_in_the_scheme() -> None:
    assert rules.owner_problem(owner_agency_id=1, worker_agency_id=2, worker_in_scheme=True)
    assert rules.owner_problem(owner_agency_id=1, worker_agency_id=1, worker_in_scheme=False)
    assert rules.owner_problem(owner_agency_id=1, worker_agency_id=1, worker_in_scheme=True) is None
