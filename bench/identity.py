"""Benchmark identity resolution: an area emitted as three sources, linked with Splink on DuckDB.

Run with `python -m bench.identity [PEOPLE]` (default 1,000,000). Reports, against the synthetic
truth, the precision of automatic links, recall counting the pairs sent to review, the time end to
end (synthesis excluded), and the same for a plain exact-identifier join (PNC ID or CRN equal)
measured in the same run, with the ratio of the two times.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.common import peak_rss_mib, write_result
from openiom.identity import linkage
from openiom.synth.sources import SOURCES, synthesise_sources


def _records(folder: Path, paths: dict[str, Path]) -> pd.DataFrame:
    frames = [
        pd.read_parquet(paths[f"people_{s}"]).merge(
            pd.read_parquet(paths[f"postcodes_{s}"]), on=["source_system", "source_id"]
        )
        for s in SOURCES
    ]
    records = pd.concat(frames, ignore_index=True)
    records["record_id"] = range(len(records))
    return records


def main(people: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        made = synthesise_sources(Path(tmp), people=people, seed=19, sources=3)
        synth_seconds = time.perf_counter() - started
        records = _records(Path(tmp), made.paths)
        truth_frame = pd.read_parquet(made.truth_path)
    joined = records.merge(truth_frame, on=["source_system", "source_id"], validate="one_to_one")
    truth = pd.Series(pd.factorize(joined["person"])[0], index=joined["record_id"])

    started = time.perf_counter()
    exact = linkage.exact_identifier_clusters(records)
    exact_seconds = time.perf_counter() - started
    config = linkage.LinkageConfig()
    exact_accuracy = linkage.accuracy(
        linkage.LinkageResult(exact.assign(decision="link"), [], {}, "exact", config), truth
    )

    started = time.perf_counter()
    result = linkage.link(records, config=config, progress=lambda s: print(f"  {s}", flush=True))
    link_seconds = time.perf_counter() - started
    measured = linkage.accuracy(result, truth)
    figures: dict[str, object] = {
        "people": people,
        "records": len(records),
        "synth_seconds": round(synth_seconds, 1),
        "link_seconds": round(link_seconds, 1),
        "exact_join_seconds": round(exact_seconds, 2),
        "ratio_to_exact_join": round(link_seconds / exact_seconds, 1),
        "automatic_precision": round(measured.automatic_precision, 5),
        "automatic_recall": round(measured.automatic_recall, 5),
        "recall_with_review": round(measured.recall_with_review, 5),
        "review_pairs": measured.review_pairs,
        "true_pairs": measured.true_pairs,
        "exact_join_precision": round(exact_accuracy.automatic_precision, 5),
        "exact_join_recall": round(exact_accuracy.automatic_recall, 5),
        "model_version": result.model_version,
        "thresholds": {"auto": config.auto_threshold, "review": config.review_threshold},
        "peak_rss_mib": round(peak_rss_mib()),
        "targets": {"automatic_precision": 0.995, "recall_with_review": 0.97, "minutes_at_1m": 15},
    }
    print(figures)
    write_result("identity", figures)
    return figures


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
