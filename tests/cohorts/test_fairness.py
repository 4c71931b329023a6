"""The fairness report: rate ratios and intervals on hand-worked tables, suppression, the resident
table's validation, and the planted difference of the synthetic area found with the right sign."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from openiom.cohorts.engine import file_source, identify, resolve_definition
from openiom.cohorts.engine.fairness import ethnic_group, fairness
from openiom.cohorts.engine.fairness_stats import GroupCount, rate_ratio, rate_rows, reference_group
from openiom.cohorts.residents import ResidentsError, parse_residents
from openiom.returns.disclosure import DisclosureConfig
from openiom.synth.generate import synthesise
from openiom.synth.model import ModelParameters

CONFIG = DisclosureConfig(suppress_below=5)


def test_rate_ratio_and_interval_on_a_hand_worked_table() -> None:
    # 20 of 100 selected against 10 of 200: rates 0.20 and 0.05, RR = 4.
    # se(ln RR) = sqrt(1/20 - 1/100 + 1/10 - 1/200) = sqrt(0.135) = 0.367423
    # 95%: 4 * exp(-1.959964 * 0.367423) = 4 * 0.486686 = 1.946743
    #      4 * exp(+1.959964 * 0.367423) = 4 * 2.054714 = 8.218857
    ratio, low, high = rate_ratio(20, 100, 10, 200) or (0, 0, 0)
    assert ratio == pytest.approx(4.0)
    assert low == pytest.approx(1.946743, abs=1e-5)
    assert high == pytest.approx(8.218857, abs=1e-5)


def test_a_ratio_of_one_has_an_interval_around_one() -> None:
    # 10 of 100 against 30 of 300: RR = 1; se = sqrt(1/10 - 1/100 + 1/30 - 1/300) = sqrt(0.12) = 0.34641
    # 95%: exp(-/+ 1.959964 * 0.346410) = exp(-/+ 0.678951) = 0.507148 to 1.971809
    ratio, low, high = rate_ratio(10, 100, 30, 300) or (0, 0, 0)
    assert (ratio, round(low, 4), round(high, 4)) == (pytest.approx(1.0), 0.5071, 1.9718)


def test_no_ratio_where_its_log_is_undefined() -> None:
    assert rate_ratio(0, 100, 10, 200) is None
    assert rate_ratio(10, 100, 0, 200) is None


def test_rows_against_the_largest_known_group() -> None:
    counts = [GroupCount("W", 10, 200), GroupCount("B", 20, 100), GroupCount("NS", 30, 400)]
    assert reference_group(counts) == "W"  # NS is larger but not a known group
    rows = {r.group: r for r in rate_rows("ethnic_group", "offenders", counts, CONFIG)}
    assert rows["W"].note == "reference" and rows["W"].ratio == 1.0
    assert rows["B"].ratio == pytest.approx(4.0) and rows["B"].low == pytest.approx(1.946743, abs=1e-5)
    assert rows["B"].rate == pytest.approx(0.2)


def test_small_counts_are_fewer_than_n_with_no_ratio_and_cannot_be_worked_out() -> None:
    counts = [
        GroupCount("W", 40, 400),
        GroupCount("A", 3, 60),  # 3 selected: primary suppression
        GroupCount("B", 12, 80),
        GroupCount("M", 20, 22),  # 2 not selected: base − selected is small too
    ]
    rows = {r.group: r for r in rate_rows("ethnic_group", "offenders", counts, CONFIG)}
    assert rows["A"].selected is None and rows["A"].selected_shown == "small"
    assert rows["A"].ratio is None and rows["A"].rate is None and rows["A"].note == "suppressed"
    assert rows["M"].ratio is None and rows["M"].note == "suppressed"
    # The selected total is published elsewhere, so one more selected count is withheld: A's 3
    # cannot be had from the total minus the others.
    hidden = [g for g, r in rows.items() if r.selected is None]
    assert len(hidden) >= 2
    shown = [r for r in rows.values() if r.selected is not None]
    assert all(r.selected == 0 or r.selected >= 5 for r in shown)
    assert all(r.base is None or r.base == 0 or r.base >= 5 for r in rows.values())


def test_resident_counts_are_public_and_only_selected_counts_are_protected() -> None:
    counts = [
        GroupCount("W", 40, 800_000),
        GroupCount("B", 12, 40_000),
        GroupCount("A", 2, 90_000),
        GroupCount("M", 6, 20_000),
    ]
    rows = {r.group: r for r in rate_rows("ethnic_group", "residents", counts, CONFIG, base_public=True)}
    assert rows["A"].base == 90_000 and rows["A"].selected is None
    # The next smallest selected count is withheld (the total is published), the residents are not.
    assert rows["M"].selected_shown == "withheld" and rows["M"].base == 20_000
    assert rows["B"].ratio == pytest.approx((12 / 40_000) / (40 / 800_000))


def test_ethnic_groups_of_the_codes() -> None:
    assert [ethnic_group(c) for c in ("W1", "B2", "A4", "M9", "O2", "NS", None, "")] == [
        "W",
        "B",
        "A",
        "M",
        "O",
        "NS",
        "NR",
        "NR",
    ]


def test_the_resident_table_names_the_row_and_field_of_every_problem() -> None:
    table = parse_residents("dimension,group,population\nethnic_group,W,800\nsex,F,500\nage_band,18-24,90\n")
    assert table == {"ethnic_group": {"W": 800}, "sex": {"F": 500}, "age_band": {"18-24": 90}}
    with pytest.raises(ResidentsError) as caught:
        parse_residents(
            "dimension,group,population\n"
            "ethnic_group,W,800\n"
            "colour,W,1\n"
            "ethnicity,Z9,5\n"
            "sex,F,many\n"
            "ethnic_group,W,3\n"
            "sex,M\n",
            name="pop.csv",
        )
    assert caught.value.problems == [
        "pop.csv: row 3, dimension: 'colour' is not one of ethnic_group, ethnicity, sex, age_band",
        "pop.csv: row 4, group: 'Z9' is not a ethnicity group (A1, A2, A3, A4, A9, B1, B2, B9, M1, M2, M3, "
        "M9, NS, O2, O9, W1, W2, W3, W9)",
        "pop.csv: row 5, population: 'many' is not a whole number of people",
        "pop.csv: row 6, group: ethnic_group W is listed twice",
        "pop.csv: row 7: expected 3 fields, found 2",
    ]
    with pytest.raises(ResidentsError, match="row 1: the header"):
        parse_residents("dim,grp,pop\n")


@pytest.fixture(scope="module")
def planted_area(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 40,000 people with the Black group three times as likely to have a career of repeated
    # offending: about 2,000 offenders in the year, enough for intervals that tell 1.7 from 1.
    out = tmp_path_factory.mktemp("planted")
    synthesise(out, people=40_000, seed=2, params=ModelParameters(planted_group="B", planted_factor=3.0))
    return out


def test_the_report_finds_the_planted_difference_and_not_one_in_a_control_group(planted_area: Path) -> None:
    source = file_source(people=planted_area / "people.parquet", events=planted_area / "events.parquet")
    try:
        result = identify(
            source, resolve_definition("chronic-15-proven-offences"), dt.date(2026, 9, 30), evidence=False
        )
        residents = {"ethnic_group": {"W": 32_000, "B": 1_600, "A": 3_700}}
        report = fairness(source, result, config=CONFIG, residents=residents, residents_name="test")
    finally:
        source.close()
    rows = {(r.comparison, r.dimension, r.group): r for r in report.rows}
    black = rows["offenders", "ethnic_group", "B"]
    asian = rows["offenders", "ethnic_group", "A"]
    assert black.reference == "W" and black.note == ""
    assert black.ratio is not None and black.low is not None and black.ratio > 1 and black.low > 1
    assert asian.low is not None and asian.high is not None and asian.low < 1 < asian.high
    assert report.selected == len(result)
    # Every dimension is reported, and against the residents too.
    assert {r.dimension for r in report.rows} == {"ethnic_group", "ethnicity", "sex", "age_band"}
    assert rows["residents", "ethnic_group", "W"].note == "reference"
    saved = report.as_dict()
    assert all(r["selected"] is None or r["selected"] == 0 or r["selected"] >= 5 for r in saved["rows"])


def test_panel_adoptions_against_candidates() -> None:
    from openiom.cohorts.engine.fairness import PanelPerson, panel_rows

    # White: 20 of 40 candidates adopted (0.5); Black: 24 of 30 (0.8); RR = 1.6.
    # se = sqrt(1/24 - 1/30 + 1/20 - 1/40) = sqrt(0.033333) = 0.182574
    # 95%: 1.6 * exp(-/+ 1.959964 * 0.182574) = 1.118697 to 2.288376
    people = [PanelPerson("W1", "M", 30, i < 20) for i in range(40)]
    people += [PanelPerson("B2", "M", 30, i < 24) for i in range(30)]
    rows = {(r.dimension, r.group): r for r in panel_rows(people, CONFIG)}
    black = rows["ethnic_group", "B"]
    assert black.comparison == "candidates" and (black.selected, black.base) == (24, 30)
    assert black.ratio == pytest.approx(1.6)
    assert (round(black.low or 0, 4), round(black.high or 0, 4)) == (1.1187, 2.2884)
    assert rows["sex", "M"].note == "reference"


def test_the_reference_is_a_group_in_which_anyone_is_selected() -> None:
    counts = [GroupCount("55+", 0, 330_000), GroupCount("25-34", 40, 135_000)]
    assert reference_group(counts) == "25-34"
    assert reference_group([GroupCount("W", 0, 10), GroupCount("B", 0, 5)]) == "W"
