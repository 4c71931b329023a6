"""The domain's codes are spelled once, in openiom.vocabulary, and every other module derives from it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import get_args

from openiom import vocabulary as v
from openiom.cases.models import RESTRICTED_PATHWAYS, Pathway
from openiom.cohorts.engine import terms
from openiom.evaluation import histories
from openiom.imports import schema
from openiom.offending.models import Disposal, EventType

SRC = Path(__file__).resolve().parents[1] / "src"
# A bracketed list, tuple or set of two or more quoted words (not a call's arguments).
_QUOTED_RUN = re.compile(r"""[\[({]\s*(['"])(\w+)\1(?:\s*,\s*(['"])\w+\3)+\s*,?\s*[\])}]""")
_WORD = re.compile(r"""['"](\w+)['"]""")
CODE_LISTS = {
    "event types": set(v.EVENT_TYPES),
    "disposals": set(v.DISPOSALS),
    "pathways": set(v.PATHWAYS),
}


def test_models_take_their_codes_from_the_vocabulary() -> None:
    assert EventType.values == list(v.EVENT_TYPES)
    assert Disposal.values == list(v.DISPOSALS)
    assert Pathway.values == list(v.PATHWAYS)
    assert RESTRICTED_PATHWAYS == v.RESTRICTED_PATHWAYS


def test_import_schema_engine_and_evaluation_use_the_vocabulary() -> None:
    assert schema.EVENT_TYPES == set(v.EVENT_TYPES)
    assert schema.DISPOSALS == set(v.DISPOSALS)
    assert schema.DISPOSALS_BY_EVENT == {k: set(d) for k, d in v.DISPOSALS_BY_EVENT.items()}
    assert terms.EventType is v.EventType
    assert terms.EVENT_SETS["all_events"] is v.EVENT_TYPES
    assert terms.EVENT_SETS["proven_offences"] is v.PROVEN
    assert terms.EVENT_SETS["sanctions"] is v.SANCTIONS
    assert histories.EVENT_TYPES is v.EVENT_TYPES
    assert get_args(v.EventType) == v.EVENT_TYPES


def test_every_disposal_belongs_to_one_kind_of_sanction() -> None:
    kinds = list(v.DISPOSALS_BY_EVENT.values())
    assert sorted(d for kind in kinds for d in kind) == sorted(v.DISPOSALS)
    assert set(v.DISPOSALS_BY_EVENT) <= set(v.EVENT_TYPES)
    assert set(v.PROVEN) <= set(v.EVENT_TYPES)


def copied_code_lists(text: str) -> list[str]:
    """Each run of two or more quoted codes from one vocabulary list, as written in `text`."""
    found = []
    for match in _QUOTED_RUN.finditer(text):
        words = set(_WORD.findall(match.group(0)))
        if any(words <= codes for codes in CODE_LISTS.values()):
            found.append(match.group(0))
    return found


def test_the_copy_finder_finds_copies() -> None:
    assert copied_code_lists("x in ('conviction', 'caution')") == ["('conviction', 'caution')"]
    assert copied_code_lists('{"fine", "custody",\n}') == ['{"fine", "custody",\n}']
    assert copied_code_lists('("caution", "court_order")') == []
    assert copied_code_lists('np.where(kind, "caution", "conviction")') == []


def test_no_other_module_spells_a_code_list() -> None:
    copies = {
        str(path.relative_to(SRC)): copied_code_lists(path.read_text(encoding="utf-8"))
        for path in SRC.rglob("*.py")
        if path.name != "vocabulary.py" and "migrations" not in path.parts
    }
    assert {path: found for path, found in copies.items() if found} == {}


def test_vocabulary_imports_nothing() -> None:
    code = "import sys, openiom.vocabulary; assert 'django' not in sys.modules"
    done = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(SRC)}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_sql_list_quotes_only_codes() -> None:
    assert v.sql_list(v.PROVEN) == "('conviction', 'caution')"
    try:
        v.sql_list(["x'); drop table events; --"])
    except ValueError as exc:
        assert "not a vocabulary code" in str(exc)
    else:
        raise AssertionError("a non-code was quoted")
