"""Files a tester broke the importer with: each is refused with a message naming what to fix,
the same way on SQLite and PostgreSQL, and nothing is written."""

from pathlib import Path

import pandas as pd
import pytest

from openiom.audit.models import AuditEvent
from openiom.imports.services import events_import, people_import
from openiom.imports.validation import ImportFileError
from openiom.people.models import Person
from openiom.reference.datafiles import builtin_directory
from openiom.reference.services import reference_dataset_load

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference() -> None:
    reference_dataset_load(directory=builtin_directory())


def example_text(kind: str = "people") -> str:
    return (EXAMPLES / f"{kind}.csv").read_text(encoding="utf-8")


def assert_nothing_written() -> None:
    assert Person.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="import.").exists()


def test_a_latin1_file_is_refused_naming_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(example_text().replace("Jordan Lee", "Jérôme").encode("latin-1"))
    with pytest.raises(ImportFileError) as refused:
        people_import(path=path)
    message = str(refused.value)
    assert "not UTF-8" in message and "Latin-1" in message and "save it as UTF-8" in message
    assert "line 3" in message
    assert "ArrowInvalid" not in message
    assert_nothing_written()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_refused_naming_the_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(example_text().encode(encoding))
    with pytest.raises(ImportFileError, match="not UTF-8: it looks like UTF-16; save it as UTF-8"):
        people_import(path=path)
    assert_nothing_written()


def test_a_utf8_file_with_a_byte_order_mark_imports(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(example_text().encode("utf-8-sig"))
    assert people_import(path=path).inserted == 5


def test_a_duplicated_header_column_is_refused_naming_it(tmp_path: Path) -> None:
    lines = example_text().splitlines()
    path = tmp_path / "people.csv"
    path.write_text("\n".join([lines[0] + ",sex", *(line + ",M" for line in lines[1:])]) + "\n")
    with pytest.raises(ImportFileError, match="column 'sex' appears 2 times in the header"):
        people_import(path=path)
    assert_nothing_written()


def test_a_duplicated_parquet_column_is_refused_naming_it(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.read_csv(EXAMPLES / "people.csv", dtype=str, keep_default_na=False)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.append_column("sex", table.column("sex"))
    pq.write_table(table, tmp_path / "people.parquet")
    with pytest.raises(ImportFileError, match="column 'sex' appears 2 times"):
        people_import(path=tmp_path / "people.parquet")
    assert_nothing_written()


def test_a_nul_byte_is_refused_naming_the_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(example_text().replace("SAMPLEFORD", "SAMPLE\x00FORD"))
    result = people_import(path=path)
    assert [str(e) for e in result.errors] == [
        "row 2, field family_name: contains a NUL character (byte 0); remove it"
    ]
    assert_nothing_written()


def test_a_nul_byte_in_an_events_file_is_refused(tmp_path: Path) -> None:
    assert people_import(path=EXAMPLES / "people.csv").ok
    path = tmp_path / "events.csv"
    path.write_text(example_text("events").replace("E0004", "E00\x0004", 1))
    result = events_import(path=path)
    assert [str(e) for e in result.errors] == [
        "row 4, field source_id: contains a NUL character (byte 0); remove it"
    ]
    assert not AuditEvent.objects.filter(action="import.events").exists()


def test_a_nul_byte_in_parquet_is_refused(tmp_path: Path) -> None:
    frame = pd.read_csv(EXAMPLES / "people.csv", dtype=str, keep_default_na=False)
    frame.loc[4, "given_names"] = "Sam\x00"
    frame.to_parquet(tmp_path / "people.parquet")
    result = people_import(path=tmp_path / "people.parquet")
    assert [str(e) for e in result.errors] == [
        "row 5, field given_names: contains a NUL character (byte 0); remove it"
    ]
    assert_nothing_written()


def test_parquet_bytes_that_are_not_utf8_are_refused_naming_the_column(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.read_csv(EXAMPLES / "people.csv", dtype=str, keep_default_na=False)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    names = [value.encode("latin-1") for value in frame["given_names"].str.replace("Alex", "Aléx")]
    table = table.set_column(
        table.column_names.index("given_names"), "given_names", pa.array(names, pa.binary())
    )
    pq.write_table(table, tmp_path / "people.parquet")
    with pytest.raises(ImportFileError, match="column 'given_names' is not UTF-8 text"):
        people_import(path=tmp_path / "people.parquet")
    assert_nothing_written()


def test_a_gzipped_latin1_file_is_refused_naming_the_encoding(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "people.csv.gz"
    path.write_bytes(gzip.compress(example_text().replace("Jordan Lee", "Jérôme").encode("latin-1")))
    with pytest.raises(ImportFileError, match=r"looks like Latin-1 \(Windows-1252\) \(first at line 3\)"):
        people_import(path=path)
    assert_nothing_written()
