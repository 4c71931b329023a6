"""Primary and secondary suppression on hand-made linked tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from openiom.returns.disclosure import (
    DisclosureConfig,
    DisclosureConfigError,
    Relation,
    Shown,
    load_config,
    parse_config,
    protect,
)

CONFIG = DisclosureConfig(suppress_below=5)


def test_small_counts_are_hidden_and_zero_is_shown() -> None:
    shown = protect({"a": 0, "b": 4, "c": 5}, [], CONFIG)
    assert shown == {"a": Shown.VALUE, "b": Shown.SMALL, "c": Shown.VALUE}


def test_a_lone_small_count_in_a_total_gets_a_partner() -> None:
    # Region 44 = 41 + 3: hiding only the 3 lets anyone subtract.
    values = {"region": 44, "a": 41, "b": 3}
    shown = protect(values, [Relation("region", ("a", "b"))], CONFIG)
    assert shown["b"] is Shown.SMALL and shown["a"] is Shown.WITHHELD
    assert shown["region"] is Shown.VALUE


def test_the_partner_is_the_smallest_non_zero_part() -> None:
    values = {"t": 60, "a": 3, "b": 0, "c": 20, "d": 37}
    shown = protect(values, [Relation("t", ("a", "b", "c", "d"))], CONFIG)
    assert [k for k, s in shown.items() if s is not Shown.VALUE] == ["a", "c"]


def test_suppression_cascades_through_a_row_and_column_table() -> None:
    # Rows r1, r2 and columns c1, c2 with their totals: every relation ends with 0 or 2+ hidden.
    values = {"r1c1": 3, "r1c2": 10, "r2c1": 12, "r2c2": 20}
    values |= {"r1": 13, "r2": 32, "c1": 15, "c2": 30, "all": 45}
    relations = [
        Relation("r1", ("r1c1", "r1c2")),
        Relation("r2", ("r2c1", "r2c2")),
        Relation("c1", ("r1c1", "r2c1")),
        Relation("c2", ("r1c2", "r2c2")),
        Relation("all", ("r1", "r2")),
        Relation("all", ("c1", "c2")),
    ]
    shown = protect(values, relations, CONFIG)
    for relation in relations:
        hidden = [k for k in (relation.total, *relation.parts) if shown[k] is not Shown.VALUE]
        assert len(hidden) != 1, relation


def test_a_total_that_is_not_the_sum_is_refused() -> None:
    with pytest.raises(ValueError, match="relation t: the total is not the sum"):
        protect({"t": 5, "a": 1}, [Relation("t", ("a",))], CONFIG)


def test_the_shipped_configuration_hides_one_to_four() -> None:
    assert load_config().suppress_below == 5


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"suppress_below": 2}, "suppress_below: must be a whole number of at least 3"),
        ({"suppress_below": "5"}, "suppress_below: must be a whole number"),
        ({"supress_below": 5}, "supress_below: unknown key"),
    ],
)
def test_bad_configuration_names_the_key(raw: dict[str, object], message: str) -> None:
    with pytest.raises(DisclosureConfigError, match=message):
        parse_config(raw)


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "disclosure.yaml"
    path.write_text("- 1\n", encoding="utf-8")
    with pytest.raises(DisclosureConfigError, match=r"disclosure\.yaml: must be a mapping"):
        load_config(path)
