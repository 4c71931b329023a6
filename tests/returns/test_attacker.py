"""The attacker recovers leaks from naive suppression and none from protect()."""

from __future__ import annotations

from openiom.returns.attacker import intervals, recovered
from openiom.returns.disclosure import DisclosureConfig, Relation, Shown, protect

CONFIG = DisclosureConfig(suppress_below=5)


def _primary_only(values: dict[str, int]) -> dict[str, Shown]:
    return {k: Shown.SMALL if 0 < v < 5 else Shown.VALUE for k, v in values.items()}


def test_primary_only_suppression_leaks_through_the_total_and_protect_does_not() -> None:
    values = {"region": 44, "a": 41, "b": 3}
    relations = [Relation("region", ("a", "b"))]
    assert recovered(values, _primary_only(values), relations, CONFIG) == {"b": 3}
    assert recovered(values, protect(values, relations, CONFIG), relations, CONFIG) == {}


def test_two_small_cells_are_recovered_when_the_marker_pins_them() -> None:
    # 8 = 4 + 4 with each "fewer than 5": both are 4 although two cells are hidden.
    values = {"t": 28, "a": 4, "b": 4, "c": 20}
    relations = [Relation("t", ("a", "b", "c"))]
    assert recovered(values, _primary_only(values), relations, CONFIG) == {"a": 4, "b": 4}


def test_overlapping_breakdowns_by_stream_and_sex_leak_together() -> None:
    # Each table alone hides the cohort total; the sex breakdown publishes its parts.
    values = {"cohort": 93, "fixed": 3, "flex": 40, "free": 50, "male": 88, "female": 5}
    relations = [Relation("cohort", ("fixed", "flex", "free")), Relation("cohort", ("male", "female"))]
    naive = _primary_only(values) | {"cohort": Shown.WITHHELD}
    assert recovered(values, naive, relations[:1], CONFIG) == {}
    assert recovered(values, naive, relations, CONFIG) == {"cohort": 93, "fixed": 3}
    shown = protect(values, relations, CONFIG)
    assert recovered(values, shown, relations, CONFIG) == {}
    assert intervals(values, shown, relations, CONFIG)["fixed"] == (1.0, 4.0)


def test_protect_hides_more_when_the_marker_pins_the_cells() -> None:
    values = {"t": 28, "a": 4, "b": 4, "c": 20}
    relations = [Relation("t", ("a", "b", "c"))]
    shown = protect(values, relations, CONFIG)
    assert shown["c"] is Shown.WITHHELD
    assert recovered(values, shown, relations, CONFIG) == {}


def test_protect_leaves_nothing_recoverable_in_a_row_and_column_table() -> None:
    cells = {"r1c1": 4, "r1c2": 4, "r1c3": 30, "r2c1": 2, "r2c2": 12, "r2c3": 0}
    values = dict(cells)
    relations = []
    for r in ("r1", "r2"):
        parts = tuple(k for k in cells if k.startswith(r))
        values[r] = sum(cells[k] for k in parts)
        relations.append(Relation(r, parts))
    for c in ("c1", "c2", "c3"):
        parts = tuple(k for k in cells if k.endswith(c))
        values[c] = sum(cells[k] for k in parts)
        relations.append(Relation(c, parts))
    values["all"] = sum(cells.values())
    relations += [Relation("all", ("r1", "r2")), Relation("all", ("c1", "c2", "c3"))]
    assert recovered(values, _primary_only(values), relations, CONFIG)
    assert recovered(values, protect(values, relations, CONFIG), relations, CONFIG) == {}
