"""Benchmark `iom synth`: 1,000,000 people to Parquet, against plain pyarrow writing of as many rows.

Run with `python -m bench.synth [PEOPLE]`. The baseline writes the same number of event rows of
random numbers and short strings (the same column count) with pyarrow, so the ratio is the cost of
the model over the cost of just putting that many rows on disk.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bench.common import peak_rss_mib, write_result
from openiom.synth.generate import synthesise


def _baseline(path: Path, rows: int, columns: int) -> float:
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    writer: pq.ParquetWriter | None = None
    chunk = 1_048_576
    for first in range(0, rows, chunk):
        size = min(chunk, rows - first)
        data = {f"c{i}": rng.integers(0, 1_000_000, size) for i in range(columns // 2)}
        text = pa.array(rng.integers(0, 1_000_000, size)).cast(pa.string())
        data.update({f"s{i}": text for i in range(columns - columns // 2)})
        table = pa.table(data)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table)
    if writer is not None:
        writer.close()
    return time.perf_counter() - start


def main(people: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        result = synthesise(out / "area", people=people, seed=1, fmt="parquet")
        seconds = time.perf_counter() - start
        synth_rss = peak_rss_mib()
        sizes = {p.name: p.stat().st_size for p in (result.people_path, result.events_path)}
        baseline = _baseline(out / "baseline.parquet", result.events, 14)
    ratio = seconds / baseline
    print(
        f"synth: {people:,} people, {result.events:,} events in {seconds:.1f}s "
        f"({people / seconds:,.0f} people/s, {result.events / seconds:,.0f} events/s), peak RSS {synth_rss:,.0f} MiB"
    )
    print(f"baseline (pyarrow writing {result.events:,} random rows): {baseline:.1f}s; ratio {ratio:.1f}x")
    write_result(
        "synth",
        {
            "people": people,
            "events": result.events,
            "seconds": round(seconds, 2),
            "people_per_second": round(people / seconds),
            "events_per_second": round(result.events / seconds),
            "peak_rss_mib": round(synth_rss),
            "file_bytes": sizes,
            "baseline": "pyarrow ParquetWriter, same number of rows, 14 columns of random ints and strings",
            "baseline_seconds": round(baseline, 2),
            "ratio_vs_baseline": round(ratio, 2),
        },
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
