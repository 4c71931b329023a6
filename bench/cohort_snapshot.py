"""Benchmark: the nine built-in definitions on the application database copied into DuckDB (the web
job's path, `cohorts.engine.snapshot`) against the DuckDB engine on the same data as Parquet files,
end to end, in the same run, checking both select the same people.

    python -m bench.cohort_snapshot --people 20000 --events 400000
    python -m bench.cohort_snapshot --database-url postgres://postgres@127.0.0.1:5432/openiom_bench

The application database is a fresh SQLite file (or the PostgreSQL database named, which must exist
and be empty), migrated and loaded from the same Parquet files first; loading is not timed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from bench.cohorts import AS_OF, generate
from bench.common import DATA_DIR, write_result


def _load(people_path: Path, events_path: Path) -> None:
    from openiom.offending.models import OffendingEvent
    from openiom.people.models import Person
    from openiom.reference.datafiles import builtin_directory
    from openiom.reference.services import reference_dataset_load

    reference_dataset_load(directory=builtin_directory())
    people = pq.read_table(people_path).to_pylist()
    Person.objects.bulk_create((Person(**p) for p in people), batch_size=5000)
    ids = dict(Person.objects.values_list("source_id", "pk"))
    for batch in pq.ParquetFile(events_path).iter_batches(batch_size=50_000):
        OffendingEvent.objects.bulk_create(
            (
                OffendingEvent(
                    person_id=ids[e.pop("person_source_id")], **{k: v for k, v in e.items() if v is not None}
                )
                for e in batch.to_pylist()
            ),
            batch_size=5000,
        )


def _nine(source: Any) -> dict[str, set[str]]:
    from openiom.cohorts.engine import builtin_definitions, identify

    return {
        d.label: {c.person_key for c in identify(source, d, AS_OF, evidence=False).candidates}
        for d in builtin_definitions()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=400_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    people_path, events_path = generate(DATA_DIR / "cohorts", args.people, args.events)
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='openiom-snapshot-')}/app.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiom.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from openiom.cohorts.engine import file_source
    from openiom.cohorts.engine.snapshot import snapshot_source

    call_command("migrate", verbosity=0)
    loaded = time.perf_counter()
    _load(people_path, events_path)
    print(f"loaded the application database in {time.perf_counter() - loaded:.1f} s (not timed)")

    started = time.perf_counter()
    files = file_source(people=people_path, events=events_path)
    by_files = _nine(files)
    files.close()
    parquet_s = time.perf_counter() - started

    started = time.perf_counter()
    copied = snapshot_source(url)
    copy_s = time.perf_counter() - started
    by_snapshot = _nine(copied)
    copied.close()
    snapshot_s = time.perf_counter() - started

    assert by_snapshot == by_files, "the snapshot and the Parquet engine selected different people"
    ratio = snapshot_s / parquet_s
    print(
        f"DuckDB on Parquet: {parquet_s:.1f} s; snapshot of the database: {snapshot_s:.1f} s "
        f"(of which the copy {copy_s:.1f} s); ratio {ratio:.2f} (target <= 2)"
    )
    write_result(
        "cohort_snapshot",
        {
            "people": args.people,
            "events": args.events,
            "database": url.split(":", 1)[0],
            "parquet_seconds": round(parquet_s, 2),
            "snapshot_seconds": round(snapshot_s, 2),
            "copy_seconds": round(copy_s, 2),
            "ratio_to_parquet": round(ratio, 2),
            "selected": {k: len(v) for k, v in by_files.items()},
        },
    )


if __name__ == "__main__":
    main()
