"""Imports into the real application database (SQLite, and PostgreSQL in the second pass)."""

from pathlib import Path

import pandas as pd
import pytest

from openiom.audit.models import AuditEvent
from openiom.imports.services import events_import, people_import
from openiom.offending.models import OffendingEvent
from openiom.people.models import Person
from openiom.reference.datafiles import builtin_directory
from openiom.reference.services import reference_dataset_load

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference() -> None:
    reference_dataset_load(directory=builtin_directory())


def load_examples() -> None:
    assert people_import(path=EXAMPLES / "people.csv").ok
    assert events_import(path=EXAMPLES / "events.csv").ok


def test_import_loads_every_row() -> None:
    people = people_import(path=EXAMPLES / "people.csv")
    events = events_import(path=EXAMPLES / "events.csv")
    assert (people.inserted, people.updated, people.unchanged) == (5, 0, 0)
    assert (events.inserted, events.updated, events.unchanged) == (9, 0, 0)
    alex = Person.objects.get(source_id="P0001")
    assert alex.pnc_id == "2003/0012345N"
    assert alex.alias_list == ["EXAMPLEPERSONE, Alex"]
    # E0009 names its person by PNC ID only.
    assert OffendingEvent.objects.get(source_id="E0009").person == alex
    custody = OffendingEvent.objects.get(source_id="E0003")
    assert (str(custody.custody_start), str(custody.release_date), custody.sentence_days) == (
        "2024-03-01",
        "2024-06-01",
        182,
    )
    assert OffendingEvent.objects.get(source_id="E0006").domestic_abuse is True
    assert OffendingEvent.objects.get(source_id="E0001").disposal is None


def test_reimporting_the_same_files_changes_nothing() -> None:
    load_examples()
    before = list(OffendingEvent.objects.order_by("id").values())
    people = people_import(path=EXAMPLES / "people.csv")
    events = events_import(path=EXAMPLES / "events.csv")
    assert (people.inserted, people.updated, people.unchanged) == (0, 0, 5)
    assert (events.inserted, events.updated, events.unchanged) == (0, 0, 9)
    assert list(OffendingEvent.objects.order_by("id").values()) == before


def test_changed_rows_are_updated_not_duplicated(tmp_path: Path) -> None:
    load_examples()
    frame = pd.read_csv(EXAMPLES / "events.csv", dtype=str, keep_default_na=False)
    frame.loc[frame.source_id == "E0004", "disposal"] = "fine"
    frame.to_csv(tmp_path / "events.csv", index=False)
    result = events_import(path=tmp_path / "events.csv")
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 8)
    assert OffendingEvent.objects.count() == 9
    assert OffendingEvent.objects.get(source_id="E0004").disposal == "fine"


def test_a_bad_file_loads_nothing_and_names_every_bad_row(tmp_path: Path) -> None:
    assert people_import(path=EXAMPLES / "people.csv").ok
    frame = pd.read_csv(EXAMPLES / "events.csv", dtype=str, keep_default_na=False)
    frame.loc[1, "outcome_date"] = "2023-01-01"
    frame.loc[6, "person_source_id"] = "P9999"
    frame.to_csv(tmp_path / "events.csv", index=False)
    result = events_import(path=tmp_path / "events.csv")
    assert [str(e) for e in result.errors] == [
        "row 2, field outcome_date: is before offence_date",
        "row 7, field person_source_id: 'P9999' is not a person in EXAMPLE; import the people file first",
    ]
    assert OffendingEvent.objects.count() == 0


def test_events_before_their_people_are_refused() -> None:
    result = events_import(path=EXAMPLES / "events.csv")
    assert not result.ok
    assert len(result.errors) == 9
    assert OffendingEvent.objects.count() == 0


def test_import_is_audited() -> None:
    load_examples()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "detail"))
    assert ("import.people", {"file": "people.csv", "rows": 5, "inserted": 5, "updated": 0}) in actions
    assert ("import.events", {"file": "events.csv", "rows": 9, "inserted": 9, "updated": 0}) in actions


def test_parquet_imports_like_csv(tmp_path: Path) -> None:
    for kind in ("people", "events"):
        pd.read_csv(EXAMPLES / f"{kind}.csv", dtype=str, keep_default_na=False).to_parquet(
            tmp_path / f"{kind}.parquet"
        )
    assert people_import(path=tmp_path / "people.parquet").inserted == 5
    assert events_import(path=tmp_path / "events.parquet").inserted == 9
    again = events_import(path=EXAMPLES / "events.csv")
    assert again.unchanged == 9
