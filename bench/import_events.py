"""Import 1 million offending events into PostgreSQL and compare with a raw COPY of the same rows.

    python -m bench.import_events [--events 1000000] [--database-url postgres://postgres@127.0.0.1:5432/openiom_bench]

The baseline, measured in the same run, is PostgreSQL's own COPY of the same rows (already linked to
their people) into an empty table identical to offending_event: same columns, indexes and foreign
key. OpenIOM's import does more from the raw file: it reads and validates every row, links each
event to its person, checks which rows exist and loads idempotently. Target: at least half the COPY
rate. The idempotent re-import of the same file is timed too.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import DATA_DIR, peak_rss_mib, write_result

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/openiom_bench"


def make_files(directory: Path, events: int, seed: int = 7) -> tuple[Path, Path]:
    """Deterministic files in the documented formats: events spread over people, valid by construction."""
    directory.mkdir(parents=True, exist_ok=True)
    people_path, events_path = directory / f"people-{events}.csv", directory / f"events-{events}.csv"
    if people_path.exists() and events_path.exists():
        return people_path, events_path
    rng = np.random.default_rng(seed)
    n_people = max(events // 20, 1)
    person_ids = np.array([f"B{i:07d}" for i in range(n_people)])
    pd.DataFrame(
        {
            "source_system": "BENCH",
            "source_id": person_ids,
            "family_name": "BENCHPERSON",
            "given_names": np.char.add("Number ", np.arange(n_people).astype(str)),
            "date_of_birth": (
                pd.Timestamp("1970-01-01") + pd.to_timedelta(rng.integers(0, 12000, n_people), "D")
            ).strftime("%Y-%m-%d"),
            "sex": rng.choice(["M", "F"], n_people, p=[0.85, 0.15]),
        }
    ).to_csv(people_path, index=False)
    codes = np.array(["028/01", "046/01", "105/01", "058/01", "039/01", "045/01", "092/03", "034/01"])
    types = rng.choice(["arrest", "charge", "conviction", "caution"], events, p=[0.4, 0.2, 0.3, 0.1])
    offence = pd.Timestamp("2014-01-01") + pd.to_timedelta(rng.integers(0, 4000, events), "D")
    outcome = offence + pd.to_timedelta(rng.integers(0, 120, events), "D")
    disposal = np.where(
        types == "conviction",
        rng.choice(["fine", "community_order", "suspended_sentence"], events),
        np.where(types == "caution", "caution", ""),
    )
    pd.DataFrame(
        {
            "source_system": "BENCH",
            "source_id": np.char.add("E", np.arange(events).astype(str)),
            "person_source_id": person_ids[rng.integers(0, n_people, events)],
            "event_type": types,
            "offence_date": offence.strftime("%Y-%m-%d"),
            "outcome_date": outcome.strftime("%Y-%m-%d"),
            "offence_code": rng.choice(codes, events),
            "disposal": disposal,
            "domestic_abuse": rng.random(events) < 0.03,
            "force_code": "BX",
        }
    ).to_csv(events_path, index=False)
    return people_path, events_path


def copy_baseline() -> float:
    """COPY the rows just imported, already linked to their people, into an empty twin of the table.

    The twin has the same columns, indexes and foreign key as offending_event, so the baseline is
    the fastest way PostgreSQL itself can load those rows into an application table.
    """
    from django.db import connection, transaction

    columns = (
        "source_system, source_id, person_id, event_type, offence_date, outcome_date, offence_code, disposal, "
        "custody_start, release_date, sentence_days, victim_ref, domestic_abuse, force_code, created_at, updated_at"
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY (SELECT {columns} FROM offending_event) TO STDOUT WITH (FORMAT csv)"
        ) as out:
            data = b"".join(bytes(chunk) for chunk in out)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_events")
        cursor.execute("CREATE TABLE bench_copy_events (LIKE offending_event INCLUDING ALL)")
        cursor.execute(
            "ALTER TABLE bench_copy_events ADD FOREIGN KEY (person_id) REFERENCES person (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY bench_copy_events ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(data)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_copy_events")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("OPENIOM_BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()

    import psycopg

    admin_url = args.database_url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
    with psycopg.connect(admin_url[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{admin_url[1]}"')
        admin.execute(f'CREATE DATABASE "{admin_url[1]}"')
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiom.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from openiom.imports.services import events_import, people_import
    from openiom.reference.datafiles import builtin_directory
    from openiom.reference.services import reference_dataset_load

    people_path, events_path = make_files(DATA_DIR / "import", args.events)
    call_command("migrate", verbosity=0)
    reference_dataset_load(directory=builtin_directory())
    assert people_import(path=people_path).ok

    start = time.perf_counter()
    result = events_import(path=events_path)
    import_seconds = time.perf_counter() - start
    assert result.ok and result.inserted == args.events, result.errors[:5]
    start = time.perf_counter()
    again = events_import(path=events_path)
    reimport_seconds = time.perf_counter() - start
    assert again.unchanged == args.events
    copy_seconds = copy_baseline()

    import_rate, copy_rate = args.events / import_seconds, args.events / copy_seconds
    ratio = import_rate / copy_rate
    print(f"events:               {args.events:,}")
    print(f"raw COPY (baseline):  {copy_seconds:7.2f} s  {copy_rate:12,.0f} rows/s")
    print(f"OpenIOM import:       {import_seconds:7.2f} s  {import_rate:12,.0f} rows/s")
    print(f"idempotent re-import: {reimport_seconds:7.2f} s  (0 rows changed)")
    print(f"ratio import/COPY:    {ratio:.2f}  (target >= 0.50)")
    write_result(
        "import_events",
        {
            "events": args.events,
            "copy_seconds": round(copy_seconds, 3),
            "import_seconds": round(import_seconds, 3),
            "reimport_seconds": round(reimport_seconds, 3),
            "import_rows_per_second": round(import_rate),
            "copy_rows_per_second": round(copy_rate),
            "ratio_import_to_copy": round(ratio, 3),
            "target_ratio": 0.5,
            "peak_rss_mib": round(peak_rss_mib()),
        },
    )


if __name__ == "__main__":
    main()
