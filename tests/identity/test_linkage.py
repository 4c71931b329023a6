"""Linkage measured against the synthetic truth: precision and recall, and the bad-input reports."""

from pathlib import Path

import pandas as pd
import pytest

from openiom.identity import linkage
from openiom.synth.sources import synthesise_sources


@pytest.fixture(scope="module")
def area(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.Series]:
    out = tmp_path_factory.mktemp("sources")
    result = synthesise_sources(out, people=3000, seed=7, sources=3)
    records = pd.concat(
        [
            pd.read_parquet(result.paths[f"people_{s}"]).merge(
                pd.read_parquet(result.paths[f"postcodes_{s}"]), on=["source_system", "source_id"]
            )
            for s in ("POLICE", "PROBATION", "PARTNER")
        ],
        ignore_index=True,
    )
    records["record_id"] = range(len(records))
    truth = pd.read_parquet(result.truth_path)
    joined = records.merge(truth, on=["source_system", "source_id"], validate="one_to_one")
    return records, pd.Series(pd.factorize(joined["person"])[0], index=joined["record_id"])


@pytest.fixture(scope="module")
def linked(area: tuple[pd.DataFrame, pd.Series]) -> linkage.LinkageResult:
    return linkage.link(area[0])


def test_synthetic_sources_hold_the_same_people_with_errors(area: tuple[pd.DataFrame, pd.Series]) -> None:
    records, truth = area
    assert set(records["source_system"]) == {"POLICE", "PROBATION", "PARTNER"}
    assert truth.nunique() == 3000
    assert records["postcode"].str.startswith("ZZ").all()
    # The partner agency seldom has identifiers; probation sometimes misses or mistypes the PNC ID.
    partner = records[records["source_system"] == "PARTNER"]
    assert partner["pnc_id"].isna().all()


def test_precision_and_recall_against_the_true_mapping(
    linked: linkage.LinkageResult, area: tuple[pd.DataFrame, pd.Series]
) -> None:
    measured = linkage.accuracy(linked, area[1])
    print(
        f"\nautomatic precision {measured.automatic_precision:.4f}, automatic recall "
        f"{measured.automatic_recall:.4f}, recall counting review {measured.recall_with_review:.4f}, "
        f"{measured.review_pairs} pairs for review of {measured.true_pairs} true pairs"
    )
    assert measured.automatic_precision >= 0.995
    assert measured.recall_with_review >= 0.97
    exact = linkage.exact_identifier_clusters(area[0])
    exact_recall = linkage.accuracy(
        linkage.LinkageResult(exact.assign(decision="link"), [], {}, "exact", linked.config), area[1]
    ).automatic_recall
    assert exact_recall < measured.automatic_recall


def test_the_model_is_versioned_and_explains_each_pair(linked: linkage.LinkageResult) -> None:
    assert linked.model_version == linkage.model_version(linked.model_json)
    assert {c["output_column_name"] for c in linked.model_json["comparisons"]} >= {
        "first_name",
        "surname",
        "date_of_birth",
        "sex",
        "postcode",
    }
    row = linked.pairs[linked.pairs["basis"] == "model"].iloc[0]
    evidence = linkage.evidence(linked, row)
    assert {e["comparison"] for e in evidence} >= {"first name", "surname", "date of birth"}
    assert all(isinstance(e["weight"], float) for e in evidence)


def _record(rid: int, **values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "record_id": rid,
        "source_system": "POLICE",
        "pnc_id": None,
        "probation_crn": None,
        "local_police_id": None,
        "family_name": "EXAMPLESMITH",
        "given_names": "Jonathan",
        "aliases": None,
        "date_of_birth": "1991-04-03",
        "sex": "M",
    }
    return {**base, **values}


def test_nicknames_transposed_dates_and_aliases_compare_as_agreeing() -> None:
    prepared = linkage.prepare(
        pd.DataFrame(
            [
                _record(1, given_names="Jon", date_of_birth="1991-03-04", aliases="SAMPLEFORD, Jack"),
                _record(2, family_name="SAMPLEFORD"),
            ]
        )
    )
    assert prepared["first_root"].tolist() == ["john", "john"]
    assert prepared["dob_key"].iat[0] == prepared["dob_key"].iat[1]
    assert set(prepared["names"].iat[0]) & set(prepared["names"].iat[1])


def test_bad_input_is_reported_with_the_records_named_and_never_linked() -> None:
    records = pd.DataFrame(
        [
            _record(1, pnc_id="2010/0123456T"),
            # Same PNC ID, date of birth that is neither the same nor transposed.
            _record(2, source_system="PROBATION", pnc_id="2010/0123456T", date_of_birth="1978-12-25"),
            # The same CRN on two different people in one source.
            _record(3, source_system="PROBATION", probation_crn="X123456"),
            _record(
                4,
                source_system="PROBATION",
                probation_crn="X123456",
                family_name="SAMPLEFORD",
                given_names="Grace",
                sex="F",
            ),
            # No usable identifier at all: a PNC ID with a wrong check character does not count.
            _record(5, source_system="PARTNER", pnc_id="2010/0123456Z"),
        ]
    )
    pairs, problems = linkage.deterministic_pairs(linkage.prepare(records))
    problems += linkage.unidentified_problems(linkage.prepare(records))
    kinds = {p.kind: p for p in problems}
    assert kinds["conflicting_date_of_birth"].record_ids == (1, 2)
    assert "1978-12-25" in kinds["conflicting_date_of_birth"].message
    assert kinds["identifier_shared"].record_ids == (3, 4)
    assert "PROBATION" in kinds["identifier_shared"].message
    assert kinds["no_identifiers"].record_ids == (5,)
    assert not pairs["corroborated"].any()


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValueError, match="review_threshold"):
        linkage.LinkageConfig(auto_threshold=0.5, review_threshold=0.9)
    with pytest.raises(ValueError, match="unknown linkage setting"):
        linkage.LinkageConfig.from_mapping({"auto": 0.9})


def test_duckdb_never_downloads_an_extension() -> None:
    api = linkage._duckdb_api()
    setting = api._con.execute("select current_setting('autoinstall_known_extensions')").fetchone()
    assert setting == (False,)


def test_synth_refuses_other_source_counts(tmp_path: Path) -> None:
    from openiom.synth.sources import split_people

    with pytest.raises(ValueError, match="2 or 3"):
        split_people(pd.DataFrame(), sources=4, seed=1)


def test_a_mistyped_pnc_id_in_a_source_still_passes_its_check_so_the_file_imports(tmp_path: Path) -> None:
    from openiom.people.identifiers import normalise_pnc
    from openiom.synth.sources import ErrorRates

    rates = ErrorRates(pnc_missing=0.0, pnc_mistyped=0.5)
    result = synthesise_sources(tmp_path, people=300, seed=3, sources=2, rates=rates)
    people = {s: pd.read_parquet(tmp_path / f"people_{s}.parquet") for s in ("POLICE", "PROBATION")}
    for frame in people.values():
        ids = [v for v in frame["pnc_id"] if isinstance(v, str)]
        assert ids and all(normalise_pnc(v) == v for v in ids)
    mistyped = set(people["PROBATION"]["pnc_id"].dropna()) - set(people["POLICE"]["pnc_id"].dropna())
    assert len(mistyped) > 0.25 * people["PROBATION"]["pnc_id"].notna().sum(), result
