"""Run every benchmark in turn: `python -m bench` (or `make bench`). Each writes bench/results/NAME.json."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    "bench.import_events",
    "bench.synth",
    "bench.cohorts",
    "bench.group_by_person",
    "bench.evaluation",
    "bench.caseload",
    "bench.identity",
    "bench.performance",
]


def main() -> int:
    failed = []
    for module in BENCHMARKS:
        try:
            __import__(module)
        except ModuleNotFoundError:
            print(f"== {module}: not present, skipped")
            continue
        print(f"== {module}", flush=True)
        if subprocess.run([sys.executable, "-m", module], check=False).returncode != 0:
            failed.append(module)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
