"""`iom cohort fairness` on files: the table, the CSV, the resident table and its errors."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cohorts.world import World
from tests.conftest import iom


def _world() -> World:
    # 24 White British and 20 Black African offenders; 12 and 15 of them with 6 convictions in 2026.
    w = World()
    for group, size, selected in (("W1", 24, 12), ("B2", 20, 15)):
        for i in range(size):
            pid = f"{group}-{i:02d}"
            w.person(pid)
            w.people[-1]["ethnicity"] = group
            for k in range(6 if i < selected else 1):
                w.event(pid, "conviction", dt.date(2026, 1, 1) + dt.timedelta(days=9 * k))
    return w


def _files(tmp_path: Path) -> list[str]:
    people, events = _world().write(tmp_path)
    return ["--people", str(people), "--events", str(events), "--as-of", "2026-11-01"]


def test_rates_ratios_and_the_csv(tmp_path: Path) -> None:
    out = tmp_path / "fairness.csv"
    result: Any = iom(
        ["cohort", "fairness", "-d", "persistent-six-convictions", *_files(tmp_path), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = {(r["comparison"], r["dimension"], r["group"]): r for r in csv.DictReader(out.open())}
    black = rows["offenders", "ethnic_group", "B"]
    # 15/20 against 12/24: RR 1.5; se = sqrt(1/15 - 1/20 + 1/12 - 1/24) = sqrt(0.058333) = 0.241523;
    # 95%: 1.5 * exp(-/+ 1.959964 * 0.241523) = 0.9343 to 2.4081
    assert (black["selected"], black["of"], black["ratio"], black["95% interval"]) == (
        "15",
        "20",
        "1.50",
        "0.93-2.41",
    )
    assert rows["offenders", "ethnic_group", "W"]["note"] == "reference group"
    assert "counts below 5 are not shown" in result.output


def test_a_bad_resident_table_is_refused_naming_row_and_field(tmp_path: Path) -> None:
    table = tmp_path / "residents.csv"
    table.write_text("dimension,group,population\nethnic_group,W,abc\n", encoding="utf-8")
    result: Any = iom(["cohort", "fairness", *_files(tmp_path), "--residents", str(table)])
    assert result.exit_code == 2
    assert "residents.csv: row 2, population: 'abc' is not a whole number of people" in result.output


@pytest.mark.django_db
def test_on_the_database_as_a_permitted_user(tmp_path: Path) -> None:
    from openiom.accounts.roles import Role
    from tests.conftest import cli_user

    _world().load_database("default")
    args = ["cohort", "fairness", "-d", "persistent-six-convictions", "--engine", "database"]
    args += ["--as-of", "2026-11-01", "--output", str(tmp_path / "f.json")]
    refused: Any = iom(args, user=cli_user(Role.PARTNER_WORKER, systems=("SYNTH",)))
    assert refused.exit_code == 1 and "may not do this (cohort.analyse)" in refused.output
    ours: Any = iom(args, user=cli_user(Role.ANALYST, systems=("SYNTH",)))
    assert ours.exit_code == 0, ours.output
    report = json.loads((tmp_path / "f.json").read_text())[0]
    black = next(r for r in report["rows"] if (r["dimension"], r["group"]) == ("ethnic_group", "B"))
    assert (black["selected"], black["base"]) == (15, 20)
