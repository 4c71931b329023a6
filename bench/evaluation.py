"""Evaluation benchmark: 5,000 treated against a pool of 1 million, end to end, plus the matcher alone
against causalml's NearestNeighborMatch on the same propensity scores in the same run.

    python -m bench.evaluation [--people 1005000] [--treated 5000]

The dataset (planted effect, documented file formats, Parquet) is generated once into bench/data/.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import DATA_DIR, peak_rss_mib, timed, write_result
from openiom.evaluation import planted
from openiom.evaluation.config import parse_config
from openiom.evaluation.matching import nearest_neighbour
from openiom.evaluation.pipeline import run_evaluation
from openiom.evaluation.report import write_report


def _dataset(people: int, treated: int) -> Path:
    folder = DATA_DIR / f"evaluation-{people}-{treated}"
    if not (folder / "events.parquet").exists():
        print(f"generating {people:,} people with {treated:,} treated into {folder} ...")
        seconds, _ = timed(
            lambda: planted.generate(folder, n_people=people, n_treated=treated, seed=2026, fmt="parquet")
        )
        print(f"  generated in {seconds:.1f} s")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_005_000)
    parser.add_argument("--treated", type=int, default=5_000)
    args = parser.parse_args()
    folder = _dataset(args.people, args.treated)
    # The machine is shared: the load when timing starts says how far absolute times can be trusted.
    load_average = os.getloadavg()[0]
    config = parse_config(
        {
            "title": "Benchmark",
            "data": {
                "people": "people.parquet",
                "events": "events.parquet",
                "treated": "treated.parquet",
                "covariates": "covariates.parquet",
            },
            "data_end": "2024-12-31",
            "covariates": {"supplied": ["drug_need"]},
            "subgroups": {"need": "drug_need"},
            "costs": {"programme_cost_per_person": 1000},
        },
        folder,
    )
    stages: list[tuple[str, float]] = []
    start = time.perf_counter()
    evaluation = run_evaluation(config, lambda stage: stages.append((stage, time.perf_counter() - start)))
    pipeline_seconds = time.perf_counter() - start
    report_seconds, _ = timed(
        lambda: write_report(
            folder / "report", evaluation.results, evaluation.balance_before, evaluation.balance_after
        )
    )
    total = pipeline_seconds + report_seconds
    sizes = evaluation.results["matching"]["sample_sizes"]
    print(
        f"end to end: {total:.1f} s (pipeline {pipeline_seconds:.1f} s, report {report_seconds:.1f} s); "
        f"{sizes['treated_all']:,} treated, pool {sizes['control_all']:,}"
    )
    marks = [*stages, ("done", pipeline_seconds)]
    for (stage, at), (_, until) in itertools.pairwise(marks):
        print(f"  {stage:<32} {until - at:6.2f} s")

    # The matcher alone, ours against causalml, on the same logit propensity scores.
    treat = evaluation.treat
    distance = pd.DataFrame({"treated": treat.astype(np.int64), "score": evaluation.distance})
    ours_seconds, ours = timed(lambda: nearest_neighbour(evaluation.distance, treat, caliper=0.2))
    from causalml.match import NearestNeighborMatch

    matcher = NearestNeighborMatch(
        caliper=0.2, replace=False, ratio=1, shuffle=False, random_state=0, n_jobs=1
    )
    theirs_seconds, theirs = timed(
        lambda: matcher.match(distance, treatment_col="treated", score_cols=["score"])
    )
    ours_treated = int((ours.weights[treat == 1] > 0).sum())
    theirs_treated = int(theirs["treated"].sum())
    ratio = theirs_seconds / ours_seconds
    print(
        f"matcher: ours {ours_seconds:.2f} s, causalml {theirs_seconds:.2f} s -> causalml/ours = {ratio:.1f}x; "
        f"treated matched: ours {ours_treated:,}, causalml {theirs_treated:,}"
    )
    print(f"peak memory {peak_rss_mib():.0f} MiB; load average {load_average:.1f} at the start")
    proven = evaluation.results["outcomes"]["proven_reoffending"]["estimate"]
    write_result(
        "evaluation",
        {
            "people": args.people,
            "treated": args.treated,
            "end_to_end_seconds": total,
            "pipeline_seconds": pipeline_seconds,
            "report_seconds": report_seconds,
            "stages": {stage: at for stage, at in stages},
            "matcher_seconds": {"openiom": ours_seconds, "causalml": theirs_seconds},
            "ratio_causalml_over_openiom": ratio,
            "treated_matched": {"openiom": ours_treated, "causalml": theirs_treated},
            "planted_effect": -0.12,
            "estimate": [proven["difference"], proven["ci_low"], proven["ci_high"]],
            "peak_rss_mib": peak_rss_mib(),
            "load_average_at_start": load_average,
        },
    )


if __name__ == "__main__":
    main()
