"""Generate a synthetic area in fixed-size chunks and stream it to the documented import files.

Chunks are always CHUNK_PEOPLE people and each chunk has its own random stream seeded by
(seed, chunk number), so the first 50,000 people of a 1,000,000-person area are the same people as
a 50,000-person area with the same seed, and the output is byte-identical run to run. Memory stays
bounded by one chunk whatever the area size.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from openiom.reference.datafiles import ReferenceData, builtin_reference
from openiom.synth.model import Chunk, ModelParameters, OffenceCatalogue, generate_chunk

CHUNK_PEOPLE = 50_000
MAX_PEOPLE = 10_000_000
DEFAULT_AS_OF = date(2026, 9, 30)
FORMATS = ("csv", "parquet")


@dataclass(frozen=True)
class SynthResult:
    people_path: Path
    events_path: Path
    people: int
    events: int


class _Sink:
    """Appends tables to one CSV or Parquet file; the schema is fixed by the first table."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self.fmt = fmt
        self._writer: pq.ParquetWriter | pacsv.CSVWriter | None = None

    def write(self, table: pa.Table) -> None:
        if self._writer is None:
            if self.fmt == "parquet":
                # No statistics-dependent metadata beyond the data itself, so bytes repeat exactly.
                self._writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
            else:
                self._writer = pacsv.CSVWriter(self.path, table.schema)
        if isinstance(self._writer, pq.ParquetWriter):
            self._writer.write_table(table, row_group_size=1_048_576)
        else:
            self._writer.write_table(table)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def synthesise(
    out_dir: Path | str,
    *,
    people: int,
    seed: int,
    as_of: date = DEFAULT_AS_OF,
    fmt: str = "parquet",
    source_system: str = "SYNTH",
    params: ModelParameters | None = None,
    reference: ReferenceData | None = None,
    progress: Callable[[int], None] | None = None,
) -> SynthResult:
    """Write people.<fmt> and events.<fmt> (and synth.json, the parameters) into out_dir."""
    if not 1 <= people <= MAX_PEOPLE:
        raise ValueError(f"--people must be between 1 and {MAX_PEOPLE:,}, got {people:,}")
    if fmt not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if not 1 <= len(source_system) <= 40:
        raise ValueError("--source-system must be 1 to 40 characters")
    if as_of.year < 1930:
        raise ValueError(f"--as-of {as_of.isoformat()} is too early for a 12-year history")
    params = params or ModelParameters()
    reference = reference or builtin_reference()
    catalogue = OffenceCatalogue.from_reference(reference)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    people_path, events_path = out / f"people.{fmt}", out / f"events.{fmt}"
    # Write to temporary names so a failed run never leaves a plausible-looking half area behind.
    tmp_people, tmp_events = people_path.with_suffix(".partial"), events_path.with_suffix(".partial2")
    sinks = (_Sink(tmp_people, fmt), _Sink(tmp_events, fmt))
    n_events = 0
    try:
        for chunk_index, first in enumerate(range(0, people, CHUNK_PEOPLE)):
            size = min(CHUNK_PEOPLE, people - first)
            chunk: Chunk = generate_chunk(
                seed, chunk_index, first, size, as_of, source_system, catalogue, params
            )
            sinks[0].write(chunk.people)
            sinks[1].write(chunk.events)
            n_events += chunk.events.num_rows
            if progress is not None:
                progress(size)
    except BaseException:
        for sink in sinks:
            sink.close()
        tmp_people.unlink(missing_ok=True)
        tmp_events.unlink(missing_ok=True)
        raise
    for sink in sinks:
        sink.close()
    tmp_people.replace(people_path)
    tmp_events.replace(events_path)
    manifest = {
        "people": people,
        "events": n_events,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "format": fmt,
        "source_system": source_system,
        "reference_version": reference.version,
        "chunk_people": CHUNK_PEOPLE,
        "parameters": asdict(params),
    }
    (out / "synth.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return SynthResult(people_path, events_path, people, n_events)
