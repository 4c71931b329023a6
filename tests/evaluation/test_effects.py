"""Effects: a planted effect is recovered inside its interval; plain language; refusal below 60."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openiom.evaluation import planted
from openiom.evaluation.config import parse_config
from openiom.evaluation.effects import CohortTooSmall, estimate, plain_language, require_cohort
from openiom.evaluation.pipeline import run_evaluation

PLANTED = 0.12


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("planted")
    data = planted.generate(folder, n_people=6000, n_treated=600, effect=PLANTED, seed=11)
    config = parse_config(
        {
            "data": {
                "people": data.people.name,
                "events": data.events.name,
                "treated": data.treated.name,
                "covariates": data.covariates.name,
            },
            "data_end": "2024-12-31",
            "covariates": {"supplied": ["drug_need"]},
            "subgroups": {"need": "drug_need"},
            "costs": {"programme_cost_per_person": 800},
        },
        folder,
    )
    return run_evaluation(config).results


@pytest.mark.slow
def test_planted_effect_on_reoffending_is_inside_the_interval(planted_run: dict) -> None:
    est = planted_run["outcomes"]["proven_reoffending"]["estimate"]
    assert est["ci_low"] <= -PLANTED <= est["ci_high"]
    assert est["conclusive"] and est["ci_high"] < 0
    # Reoffenders' counts are unchanged (1 + Poisson(1.5)), so frequency falls by 0.12 * 2.5 per person.
    freq = planted_run["outcomes"]["reoffending_frequency"]["estimate"]
    assert freq["ci_low"] <= -PLANTED * 2.5 <= freq["ci_high"]
    assert all(abs(row["smd"]) <= 0.1 for row in planted_run["balance"]["after"])
    assert max(abs(row["smd"]) for row in planted_run["balance"]["before"]) > 0.3


@pytest.mark.slow
def test_cost_benefit_and_subgroups_are_reported_honestly(planted_run: dict) -> None:
    cba = planted_run["cost_benefit"]
    # The effect on cost is the sum over categories of (effect on frequency x unit cost).
    by_category = sum(
        r["avoided_per_person"] for r in cba["by_category"] if r["avoided_per_person"] is not None
    )
    assert cba["avoided_per_person"] == pytest.approx(by_category, rel=1e-9)
    assert cba["net_benefit_per_person"][0] == pytest.approx(cba["avoided_per_person"] - 800)
    assert "commercial_theft" in cba["not_costed"]["categories"]
    assert cba["not_costed"]["treated_per_100"] > 0
    levels = {(s["family"], s["level"]): s for s in planted_run["subgroups"]}
    assert ("need: drug_need", "yes") in levels
    for entry in levels.values():
        if entry["n_treated"] < 60:
            assert "too few to analyse" in entry["refused"]
        else:
            est = entry["estimates"]["proven_reoffending"]
            assert est["bonferroni_ci"][0] <= est["ci_low"] and est["bonferroni_ci"][1] >= est["ci_high"]


def test_inconclusive_wording_never_says_no_effect() -> None:
    rng = np.random.default_rng(0)
    treat = np.repeat([1, 0], 100)
    y = (rng.random(200) < 0.4).astype(float)
    est = estimate("proven_reoffending", y, treat, np.ones(200), np.tile(np.arange(100), 2))
    assert est is not None and not est.conclusive
    text = plain_language(est)
    assert text.startswith("For 100 typical people in the treatment group")
    assert "inconclusive" in text and "does not show that the programme has no effect" in text


def test_cluster_robust_interval_matches_a_hand_computed_paired_difference() -> None:
    # 1:1 pairs: the cluster-robust SE of the difference equals the paired-difference SE (with CR1 scaling).
    rng = np.random.default_rng(1)
    n = 80
    y_t, y_c = rng.normal(1.0, 1.0, n), rng.normal(0.0, 1.0, n)
    est = estimate(
        "severity", np.concatenate([y_t, y_c]), np.repeat([1, 0], n), np.ones(2 * n), np.tile(np.arange(n), 2)
    )
    assert est is not None
    d = y_t - y_c
    assert est.difference == pytest.approx(d.mean())
    # statsmodels' CR1 factor for G clusters, N obs, K=2 parameters: G/(G-1) * (N-1)/(N-K).
    factor = n / (n - 1) * (2 * n - 1) / (2 * n - 2)
    assert est.se == pytest.approx(np.sqrt(((d - d.mean()) ** 2).sum() / n**2 * factor))


def test_refusal_below_the_minimum_cohort() -> None:
    with pytest.raises(CohortTooSmall, match=r"has 59 people .* at least 60 are needed"):
        require_cohort(59, 60)
    require_cohort(60, 60)


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    from openiom.evaluation.config import ConfigError

    (tmp_path / "p.csv").write_text("x")
    base = {"data": {"people": "p.csv", "events": "p.csv", "treated": "p.csv"}}
    with pytest.raises(ConfigError, match=r"matching.ratio: Input should be greater than or equal to 1"):
        parse_config({**base, "matching": {"ratio": 0}}, tmp_path)
    with pytest.raises(ConfigError, match=r"matching.calipr: unknown key"):
        parse_config({**base, "matching": {"calipr": 0.1}}, tmp_path)
    with pytest.raises(ConfigError, match=r"data.covariates: .*missing.csv does not exist"):
        parse_config({"data": {**base["data"], "covariates": "missing.csv"}}, tmp_path)
    with pytest.raises(ConfigError, match=r"matching.exact names 'region'"):
        parse_config({**base, "matching": {"exact": ["region"]}}, tmp_path)
