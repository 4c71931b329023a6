"""Small hand-built offending histories written in the documented CSV formats."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from openiom.evaluation import histories
from openiom.reference.datafiles import builtin_reference

PEOPLE_HEADER = ["source_system", "source_id", "family_name", "given_names", "date_of_birth", "sex"]
EVENT_HEADER = [
    "source_system",
    "source_id",
    "person_source_id",
    "event_type",
    "offence_date",
    "outcome_date",
    "offence_code",
    "disposal",
    "custody_start",
    "release_date",
    "sentence_days",
]


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in header})
    return path


def event(
    person: str,
    n: int,
    event_type: str,
    offence: str,
    outcome: str,
    code: str = "028/01",
    disposal: str = "",
    custody_start: str = "",
    release: str = "",
) -> dict[str, str]:
    if not disposal:
        disposal = {
            "conviction": "community_order",
            "caution": "caution",
            "out_of_court_disposal": "penalty_notice",
        }.get(event_type, "")
    return {
        "source_system": "SYNTH",
        "source_id": f"{person}-E{n}",
        "person_source_id": person,
        "event_type": event_type,
        "offence_date": offence,
        "outcome_date": outcome,
        "offence_code": code,
        "disposal": disposal,
        "custody_start": custody_start,
        "release_date": release,
        "sentence_days": "180" if disposal == "custody" else "",
    }


def person(source_id: str, dob: str = "1990-01-01", sex: str = "M") -> dict[str, str]:
    return {
        "source_system": "SYNTH",
        "source_id": source_id,
        "family_name": "Synthetic",
        "given_names": "Test",
        "date_of_birth": dob,
        "sex": sex,
    }


@pytest.fixture
def load(tmp_path: Path) -> Callable[[list[dict[str, str]], list[dict[str, str]]], duckdb.DuckDBPyConnection]:
    def _load(people: list[dict[str, str]], events: list[dict[str, str]]) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        histories.load_histories(
            con,
            write_csv(tmp_path / "people.csv", PEOPLE_HEADER, people),
            write_csv(tmp_path / "events.csv", EVENT_HEADER, events),
            builtin_reference(),
        )
        return con

    return _load


@pytest.fixture(scope="session")
def planted_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.evaluation.web import planted_folder

    return planted_folder(tmp_path_factory.mktemp("evaluation-data"))


@pytest.fixture
def evaluation_folders(planted_data: Path, tmp_path: Path, settings: Any) -> tuple[Path, Path]:
    """The data folder (planted data) and an empty output folder, configured for the web pages."""
    settings.EVALUATION_DATA_DIR = str(planted_data)
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path / "runs")
    return planted_data, tmp_path / "runs"
