"""Expiry arithmetic and the checks, as pure functions: the boundaries are the point."""

from __future__ import annotations

from datetime import date, timedelta

from openiom.workforce import rules

TODAY = date(2026, 3, 31)


def test_months_are_calendar_months_clamped_to_the_shorter_month() -> None:
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert rules.add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert rules.add_months(date(2026, 3, 31), 24) == date(2028, 3, 31)


def test_a_completion_is_in_date_to_the_day_before_its_anniversary() -> None:
    assert rules.expiry(date(2024, 3, 4), 24) == date(2026, 3, 3)
    assert rules.expiry(date(2024, 2, 29), 12) == date(2025, 2, 27)
    assert rules.expiry(date(2024, 3, 4), None) is None
    last = rules.expiry(date(2024, 4, 1), 24)
    assert last == TODAY
    assert rules.in_date(last, TODAY) and not rules.in_date(last, TODAY + timedelta(days=1))
    assert rules.in_date(None, TODAY)


def test_expiring_soon_counts_today_and_the_sixtieth_day_but_not_the_sixty_first() -> None:
    assert rules.expiring_soon(TODAY, TODAY)
    assert rules.expiring_soon(TODAY + timedelta(days=60), TODAY)
    assert not rules.expiring_soon(TODAY + timedelta(days=61), TODAY)
    assert not rules.expiring_soon(TODAY - timedelta(days=1), TODAY)  # expired already
    assert not rules.expiring_soon(None, TODAY)


def test_dates_must_make_sense() -> None:
    assert rules.completion_problem(TODAY, TODAY) == ""
    assert "future" in rules.completion_problem(TODAY + timedelta(days=1), TODAY)
    assert "1990" in rules.completion_problem(date(1989, 12, 31), TODAY)


def test_a_case_needs_the_courses_of_its_flags_and_stream() -> None:
    flags = rules.case_flags(
        domestic_abuse=True,
        safeguarding_children=False,
        safeguarding_adults=False,
        mappa_level=2,
        gang=False,
        weapons=False,
    )
    assert flags == {"domestic_abuse", "mappa"}
    catalogue = [
        ("da", ["domestic_abuse"], []),
        ("induction", [], ["fixed"]),
        ("sc", ["safeguarding_children"], []),
    ]
    assert rules.required_codes(flags=flags, stream="flex", courses=catalogue) == {"da"}
    assert rules.required_codes(flags=set(), stream="fixed", courses=catalogue) == {"induction"}


def test_a_course_names_what_is_wrong() -> None:
    problems = rules.course_problems(
        title=" ", validity_months=0, flags=["nonsense"], streams=["nowhere"], stream_codes={"fixed"}
    )
    assert set(problems) == {"title", "validity_months", "flags", "streams"}
    assert (
        rules.course_problems(
            title="MAPPA awareness",
            validity_months=None,
            flags=["mappa"],
            streams=["fixed"],
            stream_codes={"fixed"},
        )
        == {}
    )
