"""Run a whole evaluation from a validated configuration and return every number with its reasons.

Order matters for honesty: the comparison group is built (propensity model, matching, balance) before
any outcome is read, so the design cannot be tuned to the answer.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import math
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from openiom.evaluation import histories
from openiom.evaluation.balance import (
    SMD_WARNING,
    BalanceRow,
    balance_table,
    balance_warnings,
    comparability_problems,
    not_comparable_sentence,
)
from openiom.evaluation.case_outcomes import case_outcome_values, case_specs, kind_words
from openiom.evaluation.config import EvaluationConfig
from openiom.evaluation.costs import cost_benefit
from openiom.evaluation.effects import (
    CohortTooSmall,
    Estimate,
    aipw_att,
    e_value_sentence,
    e_values,
    estimate,
    plain_language,
    regression_adjusted,
    require_cohort,
    rosenbaum_sensitivity,
    rosenbaum_sentence,
)
from openiom.evaluation.matching import fit_propensity, nearest_neighbour
from openiom.evaluation.outcomes import (
    OutcomeSpec,
    outcome_spec,
    person_outcomes,
    read_supplied_outcomes,
    reoffences_by_cost_category,
    supplied_specs,
)
from openiom.evaluation.subgroups import age_band, subgroup_effects, t_learner
from openiom.reference.datafiles import ReferenceData, builtin_reference, read_reference_directory

CATEGORICAL_HISTORY = ("sex", "index_offence_group")
VERSIONED_PACKAGES = (
    "openiom",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "scikit-learn",
    "duckdb",
    "matplotlib",
    "pydantic",
)
STAGES = (
    "reading histories",
    "choosing the comparison pool",
    "computing covariates",
    "fitting the propensity model",
    "matching",
    "checking balance",
    "computing outcomes",
    "estimating effects",
    "cost-benefit",
    "subgroups",
)

Progress = Callable[[str], None]
EXPLAIN = {
    "matched": "the difference between the matched groups, weighted as matched",
    "regression_adjusted": (
        "also adjusts for every covariate by regression within the matched sample, so it stays right if "
        "either the matching or the regression model is right (doubly robust)"
    ),
    "aipw": (
        "weights the whole comparison pool by the odds of treatment and corrects with an outcome model: a "
        "doubly robust check that does not depend on which comparison people were matched"
    ),
}
WHAT = {"proven_reoffending": "reoffending", "custodial_reoffending": "reoffending leading to custody"}


class GroupsNotComparable(CohortTooSmall):
    """balance.on_failure is refuse and the matched groups are not alike: a refusal, like too few people."""


def _adjusted_dict(est: Estimate | None, spec: OutcomeSpec) -> dict[str, Any] | None:
    if est is None:
        return None
    return {**est.as_dict(), "plain_language": plain_language(est, spec)}


@dataclass
class Evaluation:
    """Everything a report needs. `results` is JSON-ready; the balance rows feed the love plot."""

    results: dict[str, Any]
    balance_before: list[BalanceRow]
    balance_after: list[BalanceRow]
    treat: np.ndarray
    distance: np.ndarray  # logit propensity score per unit, aligned with treat
    warnings: list[str] = field(default_factory=list)
    # Matching weight of everyone in the cohort, keyed by "source_system/source_id" (not by row number).
    weights_by_person: dict[str, float] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinity become null, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def _design(
    frame: pd.DataFrame, numeric: list[str], categorical: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(balance columns with every category level, propensity design without each first level)."""
    columns: dict[str, np.ndarray] = {c: frame[c].to_numpy(dtype=float) for c in numeric}
    first_levels = []
    for column in categorical:
        # Factorising once (a hash pass) instead of comparing a million strings per level.
        codes, uniques = pd.factorize(frame[column].astype(str), sort=True)
        for i, level in enumerate(uniques):
            columns[f"{column}={level}"] = (codes == i).astype(float)
            if i == 0:
                first_levels.append(f"{column}={level}")
    balance = pd.DataFrame(columns, index=frame.index)
    design = balance.drop(columns=first_levels)
    return balance, design


def _exact_codes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray | None:
    if not columns:
        return None
    codes: np.ndarray = frame.groupby([frame[c].astype(str) for c in columns], sort=True).ngroup().to_numpy()
    return codes


def headline(effect_sentence: str, problems: list[str]) -> str:
    """The reoffending sentence, led and qualified by the balance verdict when the groups differ."""
    if not problems:
        return effect_sentence
    return f"{not_comparable_sentence(problems)} Taken at face value: {effect_sentence}"


def case_records_fingerprint(records: pd.DataFrame | None) -> dict[str, Any] | None:
    """How many case-record rows were read, and their SHA-256 in a fixed order, for results.json."""
    if records is None:
        return None
    ordered = records.astype(str).sort_values(list(records.columns)).to_csv(index=False)
    return {"rows": len(records), "sha256": hashlib.sha256(ordered.encode()).hexdigest()}


def run_evaluation(
    config: EvaluationConfig, progress: Progress | None = None, case_records: pd.DataFrame | None = None
) -> Evaluation:
    """`case_records` (source_system, source_id, outcome, event_date) is what
    `evaluation.selectors.case_outcome_records` read for the configuration's case_outcomes."""
    step = progress or (lambda _stage: None)
    if config.case_outcomes and case_records is None:
        raise histories.InputError(
            "case_outcomes are read from the application's case records: run the evaluation on the web "
            "page or with `iom --user NAME evaluate`"
        )
    reference: ReferenceData = (
        read_reference_directory(config.data.reference) if config.data.reference else builtin_reference()
    )
    warnings: list[str] = []
    con = duckdb.connect()
    try:
        step(STAGES[0])
        loaded = histories.load_histories(
            con, config.data.people, config.data.events, reference, config.data_end
        )
        if loaded.events_unknown_offence:
            warnings.append(
                f"{loaded.events_unknown_offence} events have offence codes not in reference data "
                f"{reference.version}: their offences have no group, severity or cost"
            )
        n_treated_listed = histories.read_people_list(con, config.data.treated, "treated_listed")

        step(STAGES[1])
        con.execute(
            "create temp table treated as select * from treated_listed "
            "where cast(index_date + interval 18 month as date) <= ?",
            [loaded.data_end],
        )
        row = con.execute("select count(*), min(index_date), max(index_date) from treated").fetchone()
        assert row is not None
        n_treated_complete, first_index, last_index = int(row[0]), row[1], row[2]
        if n_treated_complete < n_treated_listed:
            warnings.append(
                f"{n_treated_listed - n_treated_complete} treated people left out: their 12-month follow-up and "
                f"6-month waiting period end after the data end date {loaded.data_end.isoformat()}"
            )
        require_cohort(n_treated_complete, config.min_cohort, "the treatment group (with complete follow-up)")
        histories.create_index_events(con)
        if config.data.pool:
            histories.read_people_list(con, config.data.pool, "pool_listed")
            con.execute(
                "create temp table pool as select * from pool_listed where person_key not in "
                "(select person_key from treated) and cast(index_date + interval 18 month as date) <= ?",
                [loaded.data_end],
            )
            pool_counts = {"supplied": int(con.execute("select count(*) from pool").fetchone()[0])}  # type: ignore[index]  # count(*) always returns a row
            window = None
        else:
            window = (
                config.comparison.window_start or first_index,
                config.comparison.window_end or last_index,
            )
            pool_counts = histories.create_pool(con, window[0], window[1], loaded.data_end)
        con.execute(
            "create temp table cohort as select person_key, index_date, 1 as treated from treated "
            "union all select person_key, index_date, 0 from pool"
        )

        step(STAGES[2])
        frame = histories.history_covariates(con, "cohort")
        supplied = list(config.covariates.supplied)
        extra = [c for c in [config.subgroups.need] if c and c not in supplied]
        if config.data.covariates and (supplied or extra):
            histories.read_supplied_covariates(con, config.data.covariates, supplied + extra)
            frame, dropped_t, dropped_p = histories.attach_supplied(con, frame, "cohort", supplied + extra)
            if dropped_t or dropped_p:
                warnings.append(
                    f"{dropped_t} treated and {dropped_p} comparison people have no row in "
                    f"{config.data.covariates.name} and were left out"
                )
        identity = con.execute("select person_key, source_system, source_id from people").df()
        # Person keys are row numbers of the people file. Everything downstream (floating-point sums in
        # the propensity fit, which of two equal scores is taken first) runs in the order of the people's
        # own identifiers instead, so a differently sorted extract gives the same answer.
        frame = (
            frame.merge(identity, on="person_key", how="left")
            .sort_values(["source_system", "source_id", "index_date"], kind="stable", na_position="first")
            .reset_index(drop=True)
        )
        treat = frame["treated"].to_numpy(dtype=int)
        require_cohort(int(treat.sum()), config.min_cohort, "the treatment group")
        chosen = list(config.covariates.history) + supplied
        categorical = [
            c for c in chosen if c in CATEGORICAL_HISTORY or not pd.api.types.is_numeric_dtype(frame[c])
        ]
        numeric = [c for c in chosen if c not in categorical]
        balance_frame, design = _design(frame, numeric, categorical)

        step(STAGES[3])
        ps = fit_propensity(design, treat)
        if ps.aliased:
            warnings.append(
                f"propensity model: {', '.join(ps.aliased)} dropped (a combination of other columns)"
            )
        if ps.extreme_scores:
            warnings.append(
                f"propensity model: {ps.extreme_scores} people have fitted probabilities of 0 or 1"
            )

        step(STAGES[4])
        match = nearest_neighbour(
            ps.distance,
            treat,
            ratio=config.matching.ratio,
            replace=config.matching.replace,
            caliper=config.matching.caliper,
            exact=_exact_codes(frame, config.matching.exact),
            order=config.matching.order,
            seed=config.seed,
            ties=config.matching.ties,
        )
        sizes = match.summary(treat)
        require_cohort(int(sizes["treated_matched"]), config.min_cohort, "the matched treatment group")
        if sizes["treated_unmatched"]:
            warnings.append(
                f"{sizes['treated_unmatched']} treated people had no comparison person within the caliper and are "
                f"not in the analysis: the estimate is for the {sizes['treated_matched']} matched"
            )

        step(STAGES[5])
        with_distance = balance_frame.copy()
        with_distance.insert(0, "distance (logit PS)", ps.distance)
        before = balance_table(with_distance, treat)
        after = balance_table(with_distance, treat, match.weights)
        warnings.extend(balance_warnings(after))
        gate = config.balance
        problems = comparability_problems(
            after,
            max_abs_smd=gate.max_abs_smd,
            variance_ratio=gate.variance_ratio,
            control_ess=float(sizes["control_ess"]),
            min_ess=gate.min_ess or config.min_cohort,
        )
        if problems and gate.on_failure == "refuse":
            raise GroupsNotComparable(
                f"{not_comparable_sentence(problems)} Nothing was estimated (balance.on_failure is refuse): "
                f"add covariates or interactions, narrow the caliper, or use exact matching."
            )

        step(STAGES[6])
        in_sample = match.weights > 0
        matched = frame.loc[in_sample, ["person_key", "index_date", "treated"]].reset_index(drop=True)
        con.register("matched_view", matched)
        con.execute("create temp table matched as select * from matched_view")
        outcome_frame = person_outcomes(con, "matched", config.costs.unit_cost_uplift)
        specs = supplied_specs(config.supplied_outcomes)
        if specs and config.data.outcomes:
            supplied_frame = read_supplied_outcomes(con, config.data.outcomes, specs)
            outcome_frame = outcome_frame.merge(supplied_frame, on="person_key", how="left")
        if config.case_outcomes and case_records is not None:
            from_cases = case_outcome_values(con, "matched", case_records, config.case_outcomes)
            outcome_frame = outcome_frame.merge(from_cases, on="person_key", how="left")
            specs = {**specs, **case_specs(config.case_outcomes)}
        outcomes_all = frame[["person_key"]].merge(outcome_frame, on="person_key", how="left")
        w = match.weights
        clusters = match.subclass
        x_design = design.to_numpy(dtype=float)
        propensity = 1 / (1 + np.exp(-ps.distance))

        step(STAGES[7])
        effect_results: dict[str, Any] = {}
        for key in config.evaluated_outcomes:
            spec = outcome_spec(key, specs)
            y = outcomes_all[key].to_numpy(dtype=float)
            est: Estimate | None = estimate(key, y, treat, w, clusters)
            if est is None:
                effect_results[key] = {
                    "label": spec.label,
                    "kind": spec.kind,
                    "estimate": None,
                    "plain_language": "Too few people for an estimate.",
                }
                continue
            binary = spec.kind == "rate"
            in_matched = (w > 0) & ~np.isnan(y)
            sd = (
                float(np.sqrt(np.cov(y[in_matched], aweights=w[in_matched])))
                if in_matched.sum() > 1
                else None
            )
            evalues = e_values(est, binary, sd)
            rosenbaum = rosenbaum_sensitivity(y, treat, clusters) if binary and clusters is not None else None
            adjusted = regression_adjusted(est, y, treat, w, clusters, x_design)
            aipw = aipw_att(est, y, treat, propensity, x_design) if config.effects.aipw else None
            sensitivity = [
                e_value_sentence(evalues, WHAT.get(key, f"the outcome '{spec.label}'")),
                rosenbaum_sentence(rosenbaum),
            ]
            effect_results[key] = {
                "label": spec.label,
                "kind": spec.kind,
                "estimate": est.as_dict(),
                "plain_language": plain_language(est, spec),
                "regression_adjusted": _adjusted_dict(adjusted, spec),
                "aipw": _adjusted_dict(aipw, spec),
                "e_value": evalues,
                "rosenbaum": rosenbaum
                if rosenbaum is not None
                else (
                    None
                    if not binary
                    else {
                        "not_computed": "matching with replacement: a comparison person can sit in several sets"
                    }
                ),
                "sensitivity": [t for t in sensitivity if t],
            }

        step(STAGES[8])
        cba = None
        if "cost_of_crime" in config.outcomes:
            by_cat = reoffences_by_cost_category(con, "matched", config.costs.unit_cost_uplift)
            prices = {r["price_base"] for r in reference.unit_costs if r["price_base"]}
            sample = outcomes_all[in_sample].assign(treated=treat[in_sample])
            result = cost_benefit(
                sample,
                by_cat,
                w[in_sample],
                clusters[in_sample] if clusters is not None else None,
                programme_cost=config.costs.programme_cost_per_person,
                price_base=", ".join(sorted(prices)),
                uplift=config.costs.unit_cost_uplift,
                programme_price_base=config.costs.programme_price_base,
            )
            if result is not None:
                cba = {**result.as_dict(), "plain_language": result.plain_language()}
                warnings.extend(result.notes)

        step(STAGES[9])
        families: dict[str, pd.Series] = {}
        if config.subgroups.age_band:
            families["age band"] = age_band(frame["age"])
        if config.subgroups.offence_type:
            families["index offence group"] = frame["index_offence_group"].astype(str)
        if config.subgroups.need:
            families[f"need: {config.subgroups.need}"] = frame[config.subgroups.need].astype(str)
        subgroup_results = subgroup_effects(
            families, match, outcomes_all, balance_frame, treat, config.subgroup_min_size
        )
        heterogeneity = None
        if config.heterogeneity:
            heterogeneity = t_learner(
                balance_frame,
                outcomes_all["proven_reoffending"].to_numpy(dtype=float),
                treat,
                w,
                config.seed,
                config.subgroup_min_size,
            )
    finally:
        con.close()

    files = {
        name: {"file": path.name, "sha256": file_sha256(path), "bytes": path.stat().st_size}
        for name, path in config.data.model_dump().items()
        if path is not None and Path(path).is_file()
    }
    results = {
        "title": config.title,
        "inputs": {
            "files": files,
            "config": config.model_dump(mode="json", exclude={"data"}),
            "reference_data": {"version": reference.version, "sha256": reference.sha256},
            "case_records": case_records_fingerprint(case_records),
        },
        "case_outcomes": {
            o.name: {
                "kind": o.kind,
                "pathway": o.pathway,
                "within_months": o.within_months,
                **{k: t for k, t in kind_words(o.kind, o.pathway, o.within_months).items() if k != "phrase"},
            }
            for o in config.case_outcomes
        },
        "versions": package_versions(),
        "seed": config.seed,
        "data": {
            "people": loaded.people,
            "events": loaded.events,
            "data_end": loaded.data_end,
            "treated_listed": n_treated_listed,
            "treated_follow_up_complete": n_treated_complete,
            "comparison_window": list(window) if window else None,
            "pool": pool_counts,
        },
        "propensity": {
            "coefficients": ps.coefficients,
            "aliased": ps.aliased,
            "iterations": ps.iterations,
        },
        "matching": {
            **config.matching.model_dump(),
            "caliper_width_logit": match.caliper_width,
            "sample_sizes": sizes,
            "notes": match.notes,
            "se_method": (
                "cluster-robust (CR1), clustered by matched set (each treated person with their own comparison "
                "people)"
                if clusters is not None
                else "heteroskedasticity-robust (HC3), not clustered (with replacement a comparison person can "
                "sit in several matched sets)"
            ),
        },
        "balance": {
            "threshold": SMD_WARNING,
            "before": [r.as_dict() for r in before],
            "after": [r.as_dict() for r in after],
        },
        "comparability": {
            "comparable": not problems,
            "problems": problems,
            "sentence": not_comparable_sentence(problems) if problems else None,
            "max_abs_smd": config.balance.max_abs_smd,
            "variance_ratio": list(config.balance.variance_ratio),
            "min_ess": config.balance.min_ess or config.min_cohort,
        },
        "headline": headline(effect_results["proven_reoffending"]["plain_language"], problems),
        "estimators": EXPLAIN if config.effects.aipw else {k: v for k, v in EXPLAIN.items() if k != "aipw"},
        "outcomes": effect_results,
        "multiple_comparisons_note": (
            f"{len(config.evaluated_outcomes)} outcomes were tested; with many measures some can look significant by "
            f"chance, so read them together rather than picking one."
        ),
        "cost_benefit": cba,
        "subgroups": subgroup_results,
        "heterogeneity": heterogeneity,
        "warnings": warnings,
    }
    return Evaluation(
        results=_clean(results),
        balance_before=before,
        balance_after=after,
        treat=treat,
        distance=ps.distance,
        warnings=warnings,
        weights_by_person=dict(
            zip(
                (frame["source_system"].fillna("") + "/" + frame["source_id"]).tolist(),
                match.weights.tolist(),
                strict=True,
            )
        ),
    )
