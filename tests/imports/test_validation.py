"""Validation rules on small frames, without a database."""

from pathlib import Path

import pandas as pd
import pytest

from openiom.imports.validation import ImportFileError, read_table, validate_events, validate_people
from openiom.reference.datafiles import builtin_reference

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
CODES = builtin_reference().offence_by_code().keys()


def people(**overrides: str) -> pd.DataFrame:
    row = {
        "source_system": "T",
        "source_id": "1",
        "pnc_id": "",
        "probation_crn": "",
        "local_police_id": "",
        "family_name": "TESTER",
        "given_names": "Ann",
        "aliases": "",
        "date_of_birth": "1990-01-01",
        "sex": "F",
        "ethnicity": "",
    }
    row.update(overrides)
    return pd.DataFrame([row])


def event(**overrides: str) -> dict[str, str]:
    row = {
        "source_system": "T",
        "source_id": "e1",
        "person_source_id": "1",
        "pnc_id": "",
        "event_type": "conviction",
        "offence_date": "2024-01-01",
        "outcome_date": "2024-02-01",
        "offence_code": "028/01",
        "disposal": "fine",
        "custody_start": "",
        "release_date": "",
        "sentence_days": "",
        "victim_ref": "",
        "domestic_abuse": "",
        "force_code": "",
    }
    row.update(overrides)
    return row


def event_errors(*rows: dict[str, str]) -> list[str]:
    return [str(e) for e in validate_events(pd.DataFrame(list(rows)), offence_codes=CODES).errors]


def test_example_files_are_valid() -> None:
    assert validate_people(read_table(EXAMPLES / "people.csv")).ok
    assert validate_events(read_table(EXAMPLES / "events.csv"), offence_codes=CODES).ok


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"date_of_birth": "1990-02-30"},
            "row 1, field date_of_birth: '1990-02-30' is not a valid date (YYYY-MM-DD)",
        ),
        ({"date_of_birth": ""}, "row 1, field date_of_birth: a value is required"),
        ({"date_of_birth": "2999-01-01"}, "row 1, field date_of_birth: is in the future"),
        ({"sex": "Q"}, "row 1, field sex: 'Q' is not one of F, M, X"),
        ({"pnc_id": "2003/0012345C"}, "row 1, field pnc_id: '2003/0012345C' is not a valid PNC ID"),
        ({"probation_crn": "12"}, "row 1, field probation_crn: '12' is not a probation case reference"),
        ({"family_name": "X" * 101}, "row 1, field family_name: is longer than 100 characters"),
        ({"ethnicity": "Z9"}, "row 1, field ethnicity: 'Z9' is not one of"),
    ],
)
def test_people_field_errors_name_row_and_field(overrides: dict[str, str], message: str) -> None:
    errors = [str(e) for e in validate_people(people(**overrides)).errors]
    assert any(e.startswith(message) for e in errors), errors


def test_missing_and_unknown_columns_are_file_errors() -> None:
    frame = people().drop(columns=["sex"]).assign(colour="red")
    errors = [str(e) for e in validate_people(frame).errors]
    assert "file, field colour: unknown column (check the spelling against docs/data-formats.md)" in errors
    assert "file, field sex: required column is missing" in errors


def test_duplicate_source_ids_name_the_first_row() -> None:
    frame = pd.concat([people(), people(), people(source_id="2")], ignore_index=True)
    errors = [str(e) for e in validate_people(frame).errors]
    assert errors == ["row 2, field source_id: '1' appears more than once in the file (first at row 1)"]


def test_valid_people_are_normalised() -> None:
    result = validate_people(people(pnc_id="03/12345n", probation_crn="x123456"))
    assert result.ok
    assert result.frame.loc[0, "pnc_id"] == "2003/0012345N"
    assert result.frame.loc[0, "probation_crn"] == "X123456"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"outcome_date": "2023-12-31"}, "row 1, field outcome_date: is before offence_date"),
        (
            {"offence_code": "999/99"},
            "row 1, field offence_code: '999/99' is not in the active reference data",
        ),
        ({"event_type": "arrest"}, "row 1, field disposal: 'fine': arrests and charges have no disposal"),
        ({"disposal": ""}, "row 1, field disposal: is required for this event type"),
        ({"event_type": "caution"}, "row 1, field disposal: 'fine' is not a disposal for a caution"),
        ({"disposal": "custody"}, "row 1, field custody_start: is required when disposal is custody"),
        (
            {"disposal": "custody", "custody_start": "2024-02-01", "sentence_days": "0"},
            "row 1, field sentence_days: '0' must be between 1 and 36500",
        ),
        ({"custody_start": "2024-02-01"}, "row 1, field custody_start: custody dates are only allowed"),
        (
            {
                "disposal": "custody",
                "custody_start": "2024-02-01",
                "sentence_days": "90",
                "release_date": "2024-01-15",
            },
            "row 1, field release_date: is before custody_start",
        ),
        ({"person_source_id": ""}, "row 1, field person_source_id: give person_source_id or pnc_id"),
        ({"domestic_abuse": "maybe"}, "row 1, field domestic_abuse: 'maybe' is not true or false"),
        ({"sentence_days": "1.5"}, "row 1, field sentence_days: '1.5' is not a whole number"),
    ],
)
def test_event_rules_name_row_and_field(overrides: dict[str, str], message: str) -> None:
    errors = event_errors(event(**overrides))
    assert any(e.startswith(message) for e in errors), errors


def test_errors_are_reported_for_every_bad_row_not_just_the_first() -> None:
    errors = event_errors(
        event(), event(source_id="e2", offence_date="bad"), event(source_id="e3", event_type="parole")
    )
    assert [e.split(":")[0] for e in errors] == ["row 2, field offence_date", "row 3, field event_type"]


def test_parquet_and_csv_read_the_same(tmp_path: Path) -> None:
    csv_frame = read_table(EXAMPLES / "events.csv")
    typed = csv_frame.assign(
        offence_date=pd.to_datetime(csv_frame["offence_date"]).dt.date,
        domestic_abuse=csv_frame["domestic_abuse"] == "true",
    )
    typed.to_parquet(tmp_path / "events.parquet")
    parquet_frame = read_table(tmp_path / "events.parquet")
    pd.testing.assert_frame_equal(parquet_frame, csv_frame)


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "events.txt"
    bad.write_text("x")
    with pytest.raises(ImportFileError, match=r"must end in \.csv"):
        read_table(bad)
    broken = tmp_path / "events.parquet"
    broken.write_text("not parquet")
    with pytest.raises(ImportFileError, match="not a readable Parquet file"):
        read_table(broken)
