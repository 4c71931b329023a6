"""Small hand-built synthetic worlds: people and events in the documented file format.

A World writes itself as Parquet or CSV files (for DuckDB and Spark) and into an application
database (for the SQLite and PostgreSQL engines), so every engine sees the same data.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

D = dt.date
SYSTEM = "SYNTH"
DISPOSAL = {"conviction": "fine", "caution": "caution", "out_of_court_disposal": "penalty_notice"}


@dataclass
class World:
    people: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def person(self, pid: str, dob: dt.date | None = None, sex: str = "M") -> str:
        self.people.append(
            {
                "source_system": SYSTEM,
                "source_id": pid,
                "family_name": "TESTPERSON",
                "given_names": pid,
                "date_of_birth": dob or D(1990, 1, 1),
                "sex": sex,
            }
        )
        return f"{SYSTEM}:{pid}"

    def event(
        self,
        pid: str,
        event_type: str,
        offence_date: dt.date,
        outcome_date: dt.date | None = None,
        *,
        code: str = "049/01",
        victim: str | None = None,
        domestic_abuse: bool = False,
    ) -> str:
        eid = f"E{len(self.events) + 1:05d}"
        self.events.append(
            {
                "source_system": SYSTEM,
                "source_id": eid,
                "person_source_id": pid,
                "event_type": event_type,
                "offence_date": offence_date,
                "outcome_date": outcome_date or offence_date,
                "offence_code": code,
                "disposal": DISPOSAL.get(event_type),
                "victim_ref": victim,
                "domestic_abuse": domestic_abuse,
            }
        )
        return f"{SYSTEM}:{eid}"

    def write(self, directory: Path, fmt: str = "parquet") -> tuple[Path, Path]:
        people_path, events_path = directory / f"people.{fmt}", directory / f"events.{fmt}"
        for rows, path in ((self.people, people_path), (self.events, events_path)):
            if fmt == "parquet":
                pq.write_table(pa.Table.from_pylist(rows), path)
            else:
                with path.open("w", newline="") as handle:
                    writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
                    writer.writeheader()
                    for row in rows:
                        writer.writerow(
                            {
                                k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v)
                                for k, v in row.items()
                            }
                        )
        return people_path, events_path

    def load_database(self, alias: str) -> None:
        """Insert reference data, people and events into the Django database `alias`."""
        from openiom.offending.models import OffendingEvent
        from openiom.people.models import Person
        from openiom.reference.datafiles import builtin_reference
        from openiom.reference.models import Offence, OffenceCategory, ReferenceDataSet

        ref = builtin_reference()
        dataset = ReferenceDataSet(
            version=ref.version, title=ref.title, content_sha256=ref.sha256, is_active=True
        )
        dataset.save(using=alias)
        OffenceCategory.objects.using(alias).bulk_create(
            OffenceCategory(
                dataset=dataset,
                category=r["category"],
                label=r["label"],
                neighbourhood_crime=r["neighbourhood_crime"] == "true",
                proven_offence_group=r["proven_offence_group"],
                status=r["status"],
                source=r["source"],
            )
            for r in ref.categories
        )
        Offence.objects.using(alias).bulk_create(
            Offence(
                dataset=dataset,
                offence_code=r["offence_code"],
                description=r["description"],
                category=r["category"],
                cost_category=r["cost_category"],
                css_status=r["css_status"],
                ogrs3_weight=r["ogrs3_weight"] or None,
                ogrs3_status=r["ogrs3_status"],
                css_weight=r["css_weight"] or None,
            )
            for r in ref.offences
        )
        people = Person.objects.using(alias).bulk_create(Person(**p) for p in self.people)
        ids = {p.source_id: p.pk for p in people}
        if any(v is None for v in ids.values()):
            ids = dict(Person.objects.using(alias).values_list("source_id", "pk"))
        OffendingEvent.objects.using(alias).bulk_create(
            OffendingEvent(
                person_id=ids[e["person_source_id"]],
                **{k: v for k, v in e.items() if k != "person_source_id"},
            )
            for e in self.events
        )
