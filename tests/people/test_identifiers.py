import pytest

from openiom.people.identifiers import is_valid_crn, normalise_pnc, pnc_check_character, pnc_problem


def test_check_character_uses_the_23_letter_alphabet() -> None:
    # 03 0012345 -> 30012345 % 23 = 13 -> "N" (the alphabet skips I, O and S)
    assert 30012345 % 23 == 13
    assert pnc_check_character("2003", "12345") == "N"
    assert pnc_check_character("03", "0012345") == "N"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2003/0012345N", "2003/0012345N"),
        ("03/12345N", "2003/0012345N"),
        ("2003/0012345n", "2003/0012345N"),
        ("20030012345N", "2003/0012345N"),
        ("99/0000001" + pnc_check_character("99", "1"), "1999/0000001" + pnc_check_character("99", "1")),
    ],
)
def test_valid_pnc_ids_normalise_to_long_form(value: str, expected: str) -> None:
    assert normalise_pnc(value) == expected
    assert pnc_problem(value) is None


@pytest.mark.parametrize("value", ["2003/0012345C", "2003-0012345N", "ABC", "2003/12345678N", ""])
def test_invalid_pnc_ids_are_rejected_with_a_reason(value: str) -> None:
    assert normalise_pnc(value) is None
    assert pnc_problem(value)


def test_wrong_check_character_names_the_right_one() -> None:
    assert pnc_problem("2003/0012345C") == "'2003/0012345C' has check character C but its number needs N"


def test_crn_format() -> None:
    assert is_valid_crn("X123456")
    assert not is_valid_crn("X12345")
    assert not is_valid_crn("1234567")


def test_one_check_character_implementation_serves_single_ids_imports_and_synthetic_ids() -> None:
    import numpy as np
    import pandas as pd

    from openiom.imports.validation import _pnc_valid
    from openiom.synth.identifiers import pnc_ids

    ids = pnc_ids(np.arange(0, 50_000, 997), np.full(51, 2011)).to_pylist()
    assert all(normalise_pnc(i) == i for i in ids)
    assert _pnc_valid(pd.Series(ids)).all()
    assert not _pnc_valid(pd.Series(["2003/0012345C", "03/12345N", "1999/0000001Z"])).tolist()[0]


def test_no_other_module_computes_a_check_character() -> None:
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "openiom"
    copies = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if path != src / "people" / "identifiers.py"
        and any(s in path.read_text(encoding="utf-8") for s in ("% 23", "PNC_CHECK_LETTERS", "/?(\\d{1,7})"))
    ]
    assert copies == []
