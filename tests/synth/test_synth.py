"""The synthetic-area generator: format rules, determinism and calibration against published figures."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from openiom.reference.datafiles import builtin_reference
from openiom.synth import calibration
from openiom.synth.cli import synth
from openiom.synth.generate import synthesise

AS_OF = date(2026, 9, 30)
# Large enough for ~400 adults released from short custody in the reoffending cohort (most people
# in an area's records are occasional offenders, so the cohort is ~0.14 % of them).
PEOPLE = 360_000
PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
PEOPLE_COLUMNS = [
    "source_system",
    "source_id",
    "pnc_id",
    "probation_crn",
    "local_police_id",
    "family_name",
    "given_names",
    "aliases",
    "date_of_birth",
    "sex",
    "ethnicity",
]
EVENT_COLUMNS = [
    "source_system",
    "source_id",
    "person_source_id",
    "pnc_id",
    "event_type",
    "offence_date",
    "outcome_date",
    "offence_code",
    "disposal",
    "custody_start",
    "release_date",
    "sentence_days",
    "victim_ref",
    "domestic_abuse",
    "force_code",
]
ETHNICITY = {
    "A1",
    "A2",
    "A3",
    "A4",
    "A9",
    "B1",
    "B2",
    "B9",
    "M1",
    "M2",
    "M3",
    "M9",
    "O2",
    "O9",
    "W1",
    "W2",
    "W3",
    "W9",
    "NS",
}
COURT = {
    "custody",
    "suspended_sentence",
    "community_order",
    "fine",
    "conditional_discharge",
    "absolute_discharge",
    "other_court",
}


@pytest.fixture(scope="session")
def area(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("area")
    synthesise(out, people=PEOPLE, seed=7, as_of=AS_OF, fmt="parquet")
    return out


@pytest.fixture(scope="session")
def measured(area: Path) -> dict[str, calibration.Measurement]:
    results = calibration.measure(area / "people.parquet", area / "events.parquet", AS_OF)
    return {m.target.key: m for m in results}


@pytest.fixture(scope="session")
def frames(area: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pq.read_table(area / "people.parquet").to_pandas(), pq.read_table(
        area / "events.parquet"
    ).to_pandas()


def _pnc_ok(value: str) -> bool:
    match = re.fullmatch(r"(\d{4})/(\d{7})([A-Z])", value)
    if not match:
        return False
    year, serial, check = match.groups()
    return PNC_LETTERS[int(year[2:] + serial) % 23] == check


# --- calibration: each figure against its published target (docs/synthetic-area.md) -------------


def test_top_five_percent_hold_about_half_of_proven_offences(measured: dict) -> None:
    m = measured["top5_share"]
    assert 0.45 <= m.value <= 0.55, m


def test_about_37_percent_of_those_sanctioned_have_15_or_more_previous_occasions(measured: dict) -> None:
    m = measured["long_career_share"]
    assert 0.32 <= m.value <= 0.42, m


def test_one_year_proven_reoffending_overall(measured: dict) -> None:
    m = measured["reoffending_overall"]
    assert 0.25 <= m.value <= 0.30, m


def test_one_year_proven_reoffending_after_short_custody(measured: dict) -> None:
    m = measured["reoffending_short_custody"]
    assert 0.52 <= m.value <= 0.68, m
    assert int(m.detail.split()[1].replace(",", "")) >= 400, m  # a cohort big enough to be stable


def test_age_crime_curve_peaks_in_late_teens(area: Path, measured: dict) -> None:
    assert 16 <= measured["age_peak"].value <= 20, measured["age_peak"]
    con = calibration._connect(area / "people.parquet", area / "events.parquet")
    ages = calibration.age_profile(con)
    # Rises into the teens and declines steadily after the peak.
    assert ages[13] < ages[17] and ages[25] < ages[18] and ages[35] < ages[25] and ages[50] < ages[35]


def test_persistent_group_churns_about_40_percent_a_year(measured: dict) -> None:
    m = measured["persistent_churn"]
    assert 0.33 <= m.value <= 0.47, m


def test_persistent_counts_conviction_occasions_not_offences(tmp_path: Path) -> None:
    # P1: three offences dealt with on one court date (one occasion) is not persistent.
    # P2: convicted on three dates in the first year, once in the second: persistent, then not.
    # P3: three dates in each year: persistent both years.
    y1, y2 = "2025-03-01", "2026-03-01"
    rows = [("P1", y1)] * 3 + [("P2", d) for d in ("2025-01-10", "2025-02-10", "2025-03-10", y2)]
    rows += [("P3", d) for d in ("2025-01-10", "2025-02-10", "2025-03-10", "2026-01-10", "2026-02-10", y2)]
    events = pd.DataFrame(
        {
            "person_source_id": [p for p, _ in rows],
            "event_type": "conviction",
            "offence_code": "008/01",
            "offence_date": [d for _, d in rows],
            "outcome_date": [d for _, d in rows],
            "disposal": "fine",
            "release_date": None,
            "sentence_days": None,
        }
    )
    people = pd.DataFrame({"source_id": ["P1", "P2", "P3"], "date_of_birth": "1990-01-01"})
    events.to_csv(tmp_path / "events.csv", index=False)
    people.to_csv(tmp_path / "people.csv", index=False)
    con = calibration._connect(tmp_path / "people.csv", tmp_path / "events.csv")
    share, detail = calibration.persistent_churn(con, AS_OF)
    assert share == 0.5 and detail.startswith("2 persistent"), (share, detail)


def test_population_shape(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    people, events = frames
    assert 0.82 <= (people["sex"] == "M").mean() <= 0.88
    custody = events[events["disposal"] == "custody"]
    assert (custody["sentence_days"] < 365).mean() > 0.5  # short sentences are the common case
    categories = {r["offence_code"]: r["category"] for r in builtin_reference().offences}
    neighbourhood = {
        r["category"] for r in builtin_reference().categories if r["neighbourhood_crime"] == "true"
    }
    share = events["offence_code"].map(categories).isin(neighbourhood).mean()
    assert 0.08 <= share <= 0.35
    # Custody gets more likely as the record gets longer.
    convictions = events[events["event_type"] == "conviction"].copy()
    convictions["previous"] = convictions.groupby("person_source_id").cumcount()
    first = (convictions[convictions["previous"] == 0]["disposal"] == "custody").mean()
    later = (convictions[convictions["previous"] >= 10]["disposal"] == "custody").mean()
    assert later > 2 * first


# --- format rules (an independent reading of docs/data-formats.md) ------------------------------


def test_people_rows_follow_the_documented_format(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    people, _ = frames
    assert set(people.columns) <= set(PEOPLE_COLUMNS)
    assert people["source_id"].is_unique
    assert (people["source_system"] == "SYNTH").all()
    pnc = people["pnc_id"].dropna()
    assert len(pnc) > 0.9 * len(people) and pnc.is_unique
    assert pnc.map(_pnc_ok).all()
    crn = people["probation_crn"].dropna()
    # Most people in an area's records are occasional offenders who never reach probation.
    assert 0.05 * len(people) < len(crn) < 0.5 * len(people) and crn.is_unique
    assert crn.str.fullmatch(r"[A-Z]\d{6}").all()
    dob = pd.to_datetime(people["date_of_birth"])
    assert (dob >= "1900-01-01").all() and (dob.dt.date <= AS_OF).all()
    assert people["sex"].isin(["M", "F", "X"]).all()
    assert people["ethnicity"].dropna().isin(ETHNICITY).all()
    assert (people["family_name"].str.len().between(1, 100)).all()
    assert (people["given_names"].str.len().between(1, 200)).all()
    aliases = people["aliases"].dropna().str.split(";").explode()
    assert aliases.str.fullmatch(r"[A-Z]+, [A-Za-z ]+").all()


def test_event_rows_follow_the_documented_format(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    people, events = frames
    assert set(events.columns) <= set(EVENT_COLUMNS)
    assert events["source_id"].is_unique
    assert events["person_source_id"].isin(people["source_id"]).all()
    assert (
        events["event_type"]
        .isin(["arrest", "charge", "conviction", "caution", "out_of_court_disposal"])
        .all()
    )
    offence, outcome = pd.to_datetime(events["offence_date"]), pd.to_datetime(events["outcome_date"])
    assert (outcome >= offence).all() and (outcome.dt.date <= AS_OF).all()
    assert events["offence_code"].isin({r["offence_code"] for r in builtin_reference().offences}).all()

    kind, disposal = events["event_type"], events["disposal"]
    assert disposal[kind.isin(["arrest", "charge"])].isna().all()
    assert disposal[kind == "conviction"].isin(COURT).all()
    assert disposal[kind == "caution"].isin(["caution", "conditional_caution"]).all()
    assert disposal[kind == "out_of_court_disposal"].isin(["community_resolution", "penalty_notice"]).all()

    custody = disposal == "custody"
    start = pd.to_datetime(events["custody_start"])
    release = pd.to_datetime(events["release_date"])
    assert start[custody].notna().all() and start[~custody].isna().all() and release[~custody].isna().all()
    assert (start[custody] >= offence[custody]).all()
    assert (release.dropna() >= start[release.notna()]).all()
    assert events["sentence_days"][custody].between(1, 36_500).all()
    assert events["sentence_days"][~custody].isna().all()
    still_in = custody & release.isna()
    assert 0 < still_in.sum() < custody.sum()  # some are still inside on the as-of date
    assert events["victim_ref"].dropna().str.len().le(64).all()
    assert events["domestic_abuse"].dropna().isin([True, False]).all()


def test_histories_have_realistic_chains(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, events = frames
    per_offence = events.groupby(["person_source_id", "offence_date", "offence_code"])["event_type"].agg(
        tuple
    )
    chains = per_offence.value_counts()
    assert chains[("arrest", "charge", "conviction")] > 0
    assert chains[("arrest", "caution")] > 0
    arrested = sum(n for chain, n in chains.items() if "arrest" in chain)
    assert chains[("arrest",)] >= 0.15 * arrested  # arrests ending in no further action
    assert (events["event_type"] == "out_of_court_disposal").sum() > 0
    da = events[events["domestic_abuse"] == True]  # noqa: E712 (nullable column)
    da_offences = da.drop_duplicates(["person_source_id", "offence_date", "offence_code", "victim_ref"])
    per_perpetrator = da_offences.groupby("person_source_id")["victim_ref"].agg(["nunique", "size"])
    repeat = per_perpetrator[per_perpetrator["size"] >= 3]
    # Repeat perpetrators, many of them against two or more different victims.
    assert len(repeat) > 0 and (repeat["nunique"] >= 2).mean() > 0.4


def test_import_validator_accepts_every_row(area: Path) -> None:
    validation = pytest.importorskip("openiom.imports.validation")
    codes = [r["offence_code"] for r in builtin_reference().offences]
    people = validation.validate_people(validation.read_table(area / "people.parquet"))
    assert people.errors == []
    events = validation.validate_events(validation.read_table(area / "events.parquet"), offence_codes=codes)
    assert events.errors == []


# --- determinism, CSV output and the command ----------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_gives_identical_bytes(tmp_path: Path, fmt: str) -> None:
    first = synthesise(tmp_path / "a", people=3_000, seed=11, fmt=fmt)
    second = synthesise(tmp_path / "b", people=3_000, seed=11, fmt=fmt)
    other = synthesise(tmp_path / "c", people=3_000, seed=12, fmt=fmt)
    assert _digest(first.events_path) == _digest(second.events_path)
    assert _digest(first.people_path) == _digest(second.people_path)
    assert _digest(first.events_path) != _digest(other.events_path)


def test_csv_matches_the_documented_header_and_encodings(tmp_path: Path) -> None:
    result = synthesise(tmp_path, people=2_000, seed=3, fmt="csv", source_system="SYNTH-T")
    header = result.events_path.read_text(encoding="utf-8").splitlines()[0]
    assert [c.strip('"') for c in header.split(",")] == [c for c in EVENT_COLUMNS if c != "pnc_id"]
    events = pd.read_csv(result.events_path, dtype=str, keep_default_na=False)
    assert events["domestic_abuse"].isin(["", "true", "false"]).all()
    assert events["offence_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert (events["source_system"] == "SYNTH-T").all()


def test_cli_generates_and_checks(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(synth, ["--people", "2000", "--seed", "5", "--out", str(tmp_path), "--check"])
    assert result.exit_code == 0, result.output
    assert "wrote 2,000 people" in result.output
    assert "proven reoffending" in result.output
    bad = runner.invoke(synth, ["--people", "0", "--out", str(tmp_path)])
    assert bad.exit_code != 0 and "--people" in bad.output
