"""Identity resolution: which source records are one person. Pure code, no Django.

Two stages. Deterministic links first: records sharing a usable identifier (a PNC ID whose check
character is right, a probation CRN, a local police ID) are one person, provided their dates of birth
and names do not contradict it; a contradiction is reported as a problem and the pair goes to review
instead. Then a probabilistic Fellegi-Sunter model in Splink over name (with aliases and nickname
roots), date of birth (with day/month transposition), sex and, where present, postcode; its m and u
parameters are estimated from the data (u by random sampling, m by EM), and the trained model is
returned as JSON so it can be stored with its version.

Splink runs on DuckDB by default (an in-memory connection with extension downloads switched off, so
nothing is fetched at run time) or on Spark for large areas.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

import numpy as np
import pandas as pd

from openiom.identity.nicknames import name_root
from openiom.people.identifiers import is_valid_crn, normalise_pnc

Backend = Literal["duckdb", "spark"]
Progress = Callable[[str], None]

RECORD_COLUMNS = (
    "record_id",
    "source_system",
    "pnc_id",
    "probation_crn",
    "local_police_id",
    "family_name",
    "given_names",
    "aliases",
    "date_of_birth",
    "sex",
)
IDENTIFIERS = ("pnc", "crn", "local_id")
IDENTIFIER_LABELS = {"pnc": "PNC ID", "crn": "probation CRN", "local_id": "local police ID"}
# More records than this sharing one identifier is a data fault (a placeholder value), not a person.
MAX_IDENTIFIER_GROUP = 10


@dataclass(frozen=True)
class LinkageConfig:
    """Thresholds and training settings; services read them from settings.OPENIOM_LINKAGE."""

    auto_threshold: float = 0.99
    review_threshold: float = 0.5
    u_max_pairs: float = 2e6
    em_sample_proportion: float = 0.2
    seed: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.review_threshold <= self.auto_threshold <= 1:
            raise ValueError(
                "linkage thresholds need 0 < review_threshold <= auto_threshold <= 1, got "
                f"review_threshold={self.review_threshold}, auto_threshold={self.auto_threshold}"
            )

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> LinkageConfig:
        values = dict(values or {})
        unknown = sorted(set(values) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown linkage setting(s): {', '.join(unknown)}")
        return cls(**values)


@dataclass(frozen=True)
class Problem:
    """A fault in the input that stops records being linked automatically, with the records named."""

    kind: str
    record_ids: tuple[int, ...]
    message: str


@dataclass
class LinkageResult:
    """Pairs (left_id < right_id) with match_probability, match_weight, basis and the comparison levels."""

    pairs: pd.DataFrame
    problems: list[Problem]
    model_json: dict[str, Any]
    model_version: str
    config: LinkageConfig
    comparisons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def automatic(self) -> pd.DataFrame:
        return self.pairs[self.pairs["decision"] == "link"]

    @property
    def review(self) -> pd.DataFrame:
        return self.pairs[self.pairs["decision"] == "review"]


def _fold(text: object) -> str:
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return ""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z ]", "", plain.lower().replace("-", " ")).strip()


def _alias_names(aliases: str) -> list[tuple[str, str]]:
    """Aliases are ';'-separated, each "FAMILY, Given names" (or "Given Family" without a comma)."""
    out = []
    for alias in (a.strip() for a in aliases.split(";")):
        if not alias:
            continue
        if "," in alias:
            family, given = alias.split(",", 1)
        else:
            parts = alias.rsplit(" ", 1)
            given, family = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
        out.append((_fold(family).replace(" ", ""), _fold(given)))
    return out


def prepare(records: pd.DataFrame) -> pd.DataFrame:
    """The comparison columns Splink and the deterministic stage read, one row per source record."""
    missing = [c for c in RECORD_COLUMNS if c not in records.columns]
    if missing:
        raise ValueError(f"records need column(s) {', '.join(missing)}")
    if records["record_id"].duplicated().any():
        dup = records.loc[records["record_id"].duplicated(), "record_id"].iloc[0]
        raise ValueError(f"record_id {dup} appears more than once")
    text = records.astype(object).where(records.notna(), "")
    surname = text["family_name"].map(_fold).str.replace(" ", "", regex=False)
    given = text["given_names"].map(_fold)
    first = given.str.split(" ").str[0].fillna("")
    dob = pd.to_datetime(text["date_of_birth"].astype(str), errors="coerce")
    aliases = text["aliases"].astype(str).map(_alias_names)
    # Every name a record goes by, as "family given-root", so an alias on one side can meet the
    # main name on the other.
    own = surname + " " + first.map(name_root)
    names = [
        sorted({o, *(f"{f} {name_root(g.split(' ')[0])}" for f, g in al)})
        for o, al in zip(own, aliases, strict=True)
    ]
    pnc = text["pnc_id"].astype(str).map(lambda v: normalise_pnc(v) if v else None)
    crn = text["probation_crn"].astype(str).str.strip().str.upper()
    local = text["local_police_id"].astype(str).str.strip()
    month, day = dob.dt.month, dob.dt.day
    out = pd.DataFrame(
        {
            "unique_id": records["record_id"].astype("int64").to_numpy(),
            "source_system": text["source_system"].astype(str).to_numpy(),
            "pnc": pnc.where(pnc.notna(), None).to_numpy(),
            "crn": crn.where(crn.map(is_valid_crn), None).to_numpy(),
            # A local ID is only unique within the force that issued it.
            "local_id": (text["source_system"].astype(str) + ":" + local).where(local != "", None).to_numpy(),
            "surname": surname.where(surname != "", None).to_numpy(),
            "first_name": first.where(first != "", None).to_numpy(),
            "first_root": first.map(name_root).where(first != "", None).to_numpy(),
            "names": names,
            "dob": dob.dt.strftime("%Y-%m-%d").where(dob.notna(), None).to_numpy(),
            # Year plus the day and month in either order: one key for a date and its transposition.
            "dob_key": (
                dob.dt.year.astype("Int64").astype(str)
                + "-"
                + np.minimum(month, day).astype("Int64").astype(str)
                + "-"
                + np.maximum(month, day).astype("Int64").astype(str)
            )
            .where(dob.notna(), None)
            .to_numpy(),
            "sex": text["sex"].astype(str).str.upper().where(lambda s: s.isin(["M", "F"]), None).to_numpy(),
        }
    )
    if "postcode" in records.columns:
        postcode = text["postcode"].astype(str).str.upper().str.replace(" ", "", regex=False)
        out["postcode"] = postcode.where(postcode != "", None).to_numpy()
        out["postcode_district"] = postcode.str[:-3].where(postcode.str.len() > 3, None).to_numpy()
    return out


def _dob_compatible(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Equal, day and month swapped, or one character apart: a typo, not a different person."""
    same_key = a.str[:4].to_numpy() == b.str[:4].to_numpy()
    transposed = (
        same_key
        & (a.str[5:7].to_numpy() == b.str[8:10].to_numpy())
        & (a.str[8:10].to_numpy() == b.str[5:7].to_numpy())
    )
    one_char = np.array(
        [sum(x != y for x, y in zip(p, q, strict=False)) <= 1 for p, q in zip(a, b, strict=True)], dtype=bool
    )
    agreed: np.ndarray = (a.to_numpy() == b.to_numpy()) | transposed | one_char
    return agreed


def _names_compatible(left: pd.DataFrame, right: pd.DataFrame) -> np.ndarray:
    shared = np.array([bool(set(x) & set(y)) for x, y in zip(left["names"], right["names"], strict=True)])
    same_first = left["first_root"].to_numpy() == right["first_root"].to_numpy()
    # A slip in the family name (Smyth / Smith) is not a contradiction; a different name is.
    similar_surname = np.array(
        [
            bool(a and b) and SequenceMatcher(None, a, b).ratio() >= 0.75
            for a, b in zip(left["surname"], right["surname"], strict=True)
        ]
    )
    compatible: np.ndarray = shared | same_first | similar_surname
    return compatible


def deterministic_pairs(prepared: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Pairs of records sharing a usable identifier, with the ones whose details contradict it."""
    problems: list[Problem] = []
    frames = []
    for column in IDENTIFIERS:
        have = prepared.loc[prepared[column].notna(), ["unique_id", column]]
        sizes = have.groupby(column)["unique_id"].transform("size")
        for value, group in have[sizes > MAX_IDENTIFIER_GROUP].groupby(column):
            problems.append(
                Problem(
                    "identifier_overused",
                    tuple(int(i) for i in group["unique_id"]),
                    f"{IDENTIFIER_LABELS[column]} {value!r} is on {len(group)} records; "
                    "it is not used to link them",
                )
            )
        have = have[sizes <= MAX_IDENTIFIER_GROUP]
        joined = have.merge(have, on=column, suffixes=("_l", "_r"))
        joined = joined[joined["unique_id_l"] < joined["unique_id_r"]]
        frames.append(
            pd.DataFrame(
                {
                    "left_id": joined["unique_id_l"].to_numpy(),
                    "right_id": joined["unique_id_r"].to_numpy(),
                    "identifier": column,
                    "value": joined[column].to_numpy(),
                }
            )
        )
    pairs = pd.concat(frames, ignore_index=True)
    if pairs.empty:
        return pairs.assign(corroborated=pd.Series(dtype=bool)), problems
    pairs = pairs.groupby(["left_id", "right_id"], as_index=False).agg(
        identifier=("identifier", ",".join), value=("value", "first")
    )
    by_id = prepared.set_index("unique_id")
    left = by_id.loc[pairs["left_id"]].reset_index(drop=True)
    right = by_id.loc[pairs["right_id"]].reset_index(drop=True)
    dob_ok = _dob_compatible(left["dob"].fillna(""), right["dob"].fillna(""))
    name_ok = _names_compatible(left, right)
    same_source = left["source_system"].to_numpy() == right["source_system"].to_numpy()
    pairs["corroborated"] = dob_ok & name_ok
    for i in np.flatnonzero(~pairs["corroborated"].to_numpy()):
        ident = pairs["identifier"].iat[i].split(",")[0]
        label, value = IDENTIFIER_LABELS[ident], pairs["value"].iat[i]
        ids = (int(pairs["left_id"].iat[i]), int(pairs["right_id"].iat[i]))
        if not dob_ok[i]:
            problems.append(
                Problem(
                    "conflicting_date_of_birth",
                    ids,
                    f"records {ids[0]} and {ids[1]} share {label} {value} but have dates of birth "
                    f"{left['dob'].iat[i]} and {right['dob'].iat[i]}",
                )
            )
        elif same_source[i]:
            problems.append(
                Problem(
                    "identifier_shared",
                    ids,
                    f"{label} {value} is on two different people in {left['source_system'].iat[i]} "
                    f"(records {ids[0]} and {ids[1]})",
                )
            )
        else:
            problems.append(
                Problem(
                    "conflicting_names",
                    ids,
                    f"records {ids[0]} and {ids[1]} share {label} {value} but their names do not agree",
                )
            )
    return pairs, problems


def unidentified_problems(prepared: pd.DataFrame) -> list[Problem]:
    """A source whose records carry no usable identifier can only be linked by the model."""
    problems = []
    none = prepared[list(IDENTIFIERS)].isna().all(axis=1)
    for system, group in prepared[none].groupby("source_system"):
        total = int((prepared["source_system"] == system).sum())
        ids = tuple(int(i) for i in group["unique_id"])
        shown = ", ".join(str(i) for i in ids[:20]) + (" …" if len(ids) > 20 else "")
        problems.append(
            Problem(
                "no_identifiers",
                ids,
                f"{system}: {len(ids)} of {total} records have no usable PNC ID, CRN or local police ID "
                f"(records {shown}); they are linked only by name and date of birth",
            )
        )
    return problems


def _settings(has_postcode: bool) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    first_name = cl.CustomComparison(
        output_column_name="first_name",
        comparison_description="Given name",
        comparison_levels=[
            cll.NullLevel("first_name"),
            cll.ExactMatchLevel("first_name").configure(label_for_charts="Same given name"),
            cll.CustomLevel("first_root_l = first_root_r", "Same name by nickname (Jon / John)"),
            cll.JaroWinklerLevel("first_name", 0.9).configure(label_for_charts="Given name nearly the same"),
            cll.JaroWinklerLevel("first_name", 0.75).configure(label_for_charts="Given name similar"),
            cll.ElseLevel().configure(label_for_charts="Given name different"),
        ],
    )
    surname = cl.CustomComparison(
        output_column_name="surname",
        comparison_description="Family name",
        comparison_levels=[
            cll.NullLevel("surname"),
            cll.ExactMatchLevel("surname").configure(label_for_charts="Same family name"),
            cll.JaroWinklerLevel("surname", 0.92).configure(label_for_charts="Family name nearly the same"),
            cll.ArrayIntersectLevel("names", 1).configure(label_for_charts="One goes by the other's name"),
            cll.JaroWinklerLevel("surname", 0.8).configure(label_for_charts="Family name similar"),
            cll.ElseLevel().configure(label_for_charts="Family name different"),
        ],
    )
    dob = cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_description="Date of birth",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob").configure(label_for_charts="Same date of birth"),
            cll.CustomLevel("dob_key_l = dob_key_r", "Day and month swapped"),
            cll.LevenshteinLevel("dob", 1).configure(label_for_charts="One digit different"),
            cll.CustomLevel("substr(dob_l, 1, 4) = substr(dob_r, 1, 4)", "Same year of birth"),
            cll.ElseLevel().configure(label_for_charts="Date of birth different"),
        ],
    )
    sex = cl.CustomComparison(
        output_column_name="sex",
        comparison_description="Sex",
        comparison_levels=[
            cll.NullLevel("sex"),
            cll.ExactMatchLevel("sex").configure(label_for_charts="Same sex"),
            cll.ElseLevel().configure(label_for_charts="Different sex"),
        ],
    )
    comparisons: list[Any] = [first_name, surname, dob, sex]
    if has_postcode:
        comparisons.append(
            cl.CustomComparison(
                output_column_name="postcode",
                comparison_description="Postcode",
                comparison_levels=[
                    cll.NullLevel("postcode"),
                    cll.ExactMatchLevel("postcode").configure(label_for_charts="Same postcode"),
                    cll.ExactMatchLevel("postcode_district").configure(label_for_charts="Same district"),
                    cll.ElseLevel().configure(label_for_charts="Different postcode"),
                ],
            )
        )
    blocking: list[Any] = [
        block_on("dob_key", "substr(surname, 1, 1)"),
        block_on("dob_key", "first_root"),
        block_on("surname", "first_root", "substr(dob, 1, 4)"),
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
    )


def _duckdb_api() -> Any:
    import duckdb
    from splink import DuckDBAPI

    # Splink's DuckDB SQL needs only extensions built into the wheel; refuse to download any.
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    return DuckDBAPI(con)


def _spark_api(spark: Any | None) -> Any:
    from splink import SparkAPI

    if spark is None:
        from openiom.cohorts.engine.sources import spark_session

        spark = spark_session()
    # Splink's SparkAPI constructor carries no annotations.
    return SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]


def _comparison_levels(settings_json: dict[str, Any]) -> list[dict[str, Any]]:
    """For each comparison, its levels' labels and match weights (log2 m/u), to name a pair's evidence.

    Splink reports a pair's weight per comparison (mw_<name>), not the level; each level of a trained
    model has its own weight, so the weight identifies the level.
    """
    out = []
    for comparison in settings_json.get("comparisons", []):
        levels = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                levels.append((0.0, "Not recorded on one side"))
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = float(np.log2(m / u)) if m and u else 0.0
            levels.append((weight, level.get("label_for_charts", "")))
        out.append({"name": comparison["output_column_name"], "levels": levels})
    return out


class LinkageError(Exception):
    """The model could not be trained or applied; the message says why."""


def _model_pairs(
    prepared: pd.DataFrame,
    config: LinkageConfig,
    backend: Backend,
    spark: Any | None,
    progress: Progress,
    trained: dict[str, Any] | None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    from splink import Linker

    has_postcode = "postcode" in prepared.columns and prepared["postcode"].notna().any()
    if trained is not None:
        # A stored model fixes the comparisons; postcode is compared only if it was trained with one.
        has_postcode = any(c["output_column_name"] == "postcode" for c in trained["comparisons"])
        if has_postcode and "postcode" not in prepared.columns:
            prepared = prepared.assign(postcode=None, postcode_district=None)
    columns = [c for c in prepared.columns if has_postcode or not c.startswith("postcode")]
    api = _duckdb_api() if backend == "duckdb" else _spark_api(spark)
    table = api.register(prepared[columns], dataset_display_name="records")
    if trained is not None:
        linker = Linker(table, trained, log_level=logging.WARNING)
    else:
        linker = Linker(table, _settings(has_postcode), log_level=logging.WARNING)
        try:
            _train(linker, config, progress)
        except Exception as exc:
            raise LinkageError(
                f"the linkage model could not be trained on {len(prepared)} records: {exc}"
            ) from exc
    return _predict(linker, config, progress)


def _train(linker: Any, config: LinkageConfig, progress: Progress) -> None:
    from splink import block_on

    progress("estimating the chance two records match")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("pnc"), block_on("crn"), block_on("dob", "surname", "first_root")], recall=0.8
    )
    progress("estimating u by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=config.u_max_pairs, seed=config.seed)
    progress("estimating m by expectation maximisation")
    # Two sessions, each blocking on what the other estimates, so every comparison gets its m.
    for rule in (block_on("dob"), block_on("surname", "first_root")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, record_sample_proportion=config.em_sample_proportion
        )


def _predict(linker: Any, config: LinkageConfig, progress: Progress) -> tuple[pd.DataFrame, dict[str, Any]]:
    progress("scoring candidate pairs")
    predictions = linker.inference.predict(threshold_match_probability=config.review_threshold)
    frame = predictions.as_pandas_dataframe()
    model_json = linker.misc.save_model_to_json(out_path=None)
    keep = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    keep += [c for c in frame.columns if c.startswith("mw_")]
    frame = frame[keep].rename(columns={"unique_id_l": "left_id", "unique_id_r": "right_id"})
    swap = frame["left_id"] > frame["right_id"]
    frame.loc[swap, ["left_id", "right_id"]] = frame.loc[swap, ["right_id", "left_id"]].to_numpy()
    return frame, model_json


def model_version(model_json: dict[str, Any]) -> str:
    """A short content hash: the same trained parameters give the same version."""
    blob = json.dumps({k: v for k, v in model_json.items() if k != "linker_uid"}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def link(
    records: pd.DataFrame,
    *,
    config: LinkageConfig | None = None,
    backend: Backend = "duckdb",
    spark: Any | None = None,
    progress: Progress | None = None,
    trained: dict[str, Any] | None = None,
) -> LinkageResult:
    """Link every record against every other; each pair is decided 'link' or 'review'.

    With `trained` (a model JSON from an earlier run) the parameters are reused, not re-estimated.
    """
    config = config or LinkageConfig()
    report = progress or (lambda _: None)
    report("preparing records")
    prepared = prepare(records)
    report("linking on exact identifiers")
    exact, problems = deterministic_pairs(prepared)
    problems += unidentified_problems(prepared)
    model, model_json = _model_pairs(prepared, config, backend, spark, report, trained)
    report("deciding links")
    pairs = model.merge(
        exact[["left_id", "right_id", "identifier", "corroborated"]], on=["left_id", "right_id"], how="outer"
    )
    pairs["basis"] = np.where(
        pairs["identifier"].notna() & pairs["corroborated"].fillna(False).astype(bool), "identifier", "model"
    )
    pairs["match_probability"] = pairs["match_probability"].fillna(0.0)
    auto = (pairs["basis"] == "identifier") | (
        (pairs["match_probability"] >= config.auto_threshold) & pairs["identifier"].isna()
    )
    pairs["decision"] = np.where(auto, "link", "review")
    # An identifier the details contradict is never linked, whatever the model says: a person decides.
    pairs = pairs.drop(columns=["corroborated"]).sort_values(["left_id", "right_id"]).reset_index(drop=True)
    return LinkageResult(
        pairs=pairs,
        problems=problems,
        model_json=model_json,
        model_version=model_version(model_json),
        config=config,
        comparisons=_comparison_levels(model_json),
    )


def evidence(result: LinkageResult, row: pd.Series) -> list[dict[str, Any]]:
    """Which comparisons agreed for one pair, in words, with their match weights (log2 Bayes factors)."""
    out: list[dict[str, Any]] = []
    if isinstance(row.get("identifier"), str):
        for ident in row["identifier"].split(","):
            out.append({"comparison": IDENTIFIER_LABELS[ident], "level": "Same identifier", "weight": None})
    for comparison in result.comparisons:
        name = comparison["name"]
        weight = row.get(f"mw_{name}")
        if weight is None or pd.isna(weight):
            continue
        weight = float(weight)
        label = min(comparison["levels"], key=lambda level: abs(level[0] - weight))[1]
        out.append({"comparison": name.replace("_", " "), "level": label, "weight": round(weight, 2)})
    return out


def clusters(ids: Iterable[int], pairs: pd.DataFrame) -> dict[int, int]:
    """Connected components of the automatic links: each record id -> the smallest id in its cluster."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    index = pd.Index(sorted(set(int(i) for i in ids)))
    left = index.get_indexer(pairs["left_id"])
    right = index.get_indexer(pairs["right_id"])
    n = len(index)
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    smallest = pd.Series(index.to_numpy()).groupby(labels).transform("min").to_numpy()
    return dict(zip(index.to_numpy().tolist(), smallest.tolist(), strict=True))


@dataclass(frozen=True)
class Accuracy:
    true_pairs: int
    automatic_pairs: int
    automatic_precision: float
    automatic_recall: float
    recall_with_review: float
    review_pairs: int


def _pair_set(cluster_of: dict[int, int]) -> set[tuple[int, int]]:
    groups: dict[int, list[int]] = {}
    for rid, cid in cluster_of.items():
        groups.setdefault(cid, []).append(rid)
    return {(a, b) for members in groups.values() for a in members for b in members if a < b}


def accuracy(result: LinkageResult, truth: pd.Series) -> Accuracy:
    """Precision and recall of the clusters against truth (record_id -> true person).

    Automatic precision counts every pair inside a linked cluster, so a wrong link that chains two
    people together costs all the pairs it creates. Recall with review also counts true pairs that
    are waiting in the review queue, or whose clusters a queued pair would join.
    """
    true_clusters = {int(k): int(v) for k, v in truth.items()}
    true_pairs = _pair_set(true_clusters)
    linked = _pair_set(clusters(truth.index, result.automatic))
    with_review = _pair_set(clusters(truth.index, result.pairs))
    hits = len(linked & true_pairs)
    return Accuracy(
        true_pairs=len(true_pairs),
        automatic_pairs=len(linked),
        automatic_precision=hits / len(linked) if linked else 1.0,
        automatic_recall=hits / len(true_pairs) if true_pairs else 1.0,
        recall_with_review=len(with_review & true_pairs) / len(true_pairs) if true_pairs else 1.0,
        review_pairs=len(result.review),
    )


def exact_identifier_clusters(records: pd.DataFrame) -> pd.DataFrame:
    """The baseline: records joined wherever a PNC ID or CRN is equal, nothing else."""
    prepared = prepare(records)
    frames = []
    for column in ("pnc", "crn"):
        have = prepared.loc[prepared[column].notna(), ["unique_id", column]]
        joined = have.merge(have, on=column, suffixes=("_l", "_r"))
        joined = joined[joined["unique_id_l"] < joined["unique_id_r"]]
        frames.append(joined[["unique_id_l", "unique_id_r"]])
    return pd.concat(frames).drop_duplicates().set_axis(["left_id", "right_id"], axis=1)
