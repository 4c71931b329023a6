"""Where the data comes from and which engine runs the rules.

Every source is turned into the same two Ibis tables, so one rule expression runs unchanged on
every engine:

- people: pid, person_key, date_of_birth (date), sex, ethnicity (for the fairness report only)
- events: pid, event_type, outcome_date (date), off_day, out_day (integer epoch days of the offence
  and outcome dates), category, neighbourhood_crime (bool), ogrs3_weight (float), domestic_abuse
  (bool), victim_ref
- keyed_events: the same rows with esys, eid (the event's source_system and source_id) as well, for
  listing the events behind a reason. Rules never need the keys, and 20 million key strings are a
  quarter of the cost of preparing the events, so on files `events` is computed once without them
  and `keyed_events` is worked out again only when a run asks for its evidence.

`person_key` is "source_system:source_id" of the person, the same in files and in the application
database, so results from different engines can be compared and saved against `person` rows.
`pid` is an integer standing for the person inside one source only (rules group and join on it,
which is much faster than on text); results always carry person_key.

Engines: DuckDB (embedded, default) and Spark (pyspark, local or a cluster) read the People and
Events files written by `iom synth` / accepted by `iom import`; "database" runs on the application
database itself (SQLite or PostgreSQL) through Ibis' backends, reading `person`, `offending_event`
and the active `reference_offence` rows.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from openiom.reference.datafiles import ReferenceData, builtin_reference

ENGINES = ("duckdb", "spark", "database")
TRUE_TEXT = ["true", "1", "y", "yes", "t"]


class SourceError(ValueError):
    """The input files or database cannot be used; the message names the file or column."""


@dataclass
class Source:
    """Prepared people and events tables on one engine, plus a fingerprint of the data used."""

    engine: str
    backend: Any
    people: ir.Table
    events: ir.Table
    keyed_events: ir.Table
    snapshot: dict[str, Any]
    owns_backend: bool = True
    # For files read with check=True: the rows the engine drops or doubts (extract_checks).
    extract: Any = None

    @property
    def snapshot_id(self) -> str:
        text = repr(sorted((k, repr(v)) for k, v in self.snapshot.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def close(self) -> None:
        """Release the engine connection (a shared SparkSession or a borrowed connection stays open)."""
        if self.owns_backend and self.engine != "spark":
            self.backend.disconnect()

    def execute(self, expr: ir.Table) -> Any:
        """Run an expression and return a pandas DataFrame."""
        return self.backend.to_pandas(expr)


def _flag(column: ir.Value) -> ir.BooleanValue:
    if column.type().is_boolean():
        return column.fill_null(False)
    return column.cast("string").lower().isin(TRUE_TEXT).fill_null(False)


def _text(table: ir.Table, name: str) -> ir.Value:
    if name in table.columns:
        return table[name].cast("string")
    return ibis.null("string")


def reference_arrow(reference: ReferenceData) -> pa.Table:
    categories = reference.category_by_key()
    rows = reference.offences
    return pa.table(
        {
            "offence_code": pa.array([r["offence_code"] for r in rows], pa.string()),
            "category": pa.array([r["category"] for r in rows], pa.string()),
            "neighbourhood_crime": pa.array(
                [categories[r["category"]]["neighbourhood_crime"] == "true" for r in rows], pa.bool_()
            ),
            "ogrs3_weight": pa.array(
                [float(r["ogrs3_weight"]) if r["ogrs3_weight"] else None for r in rows], pa.float64()
            ),
        }
    )


def reference_table(engine: str, backend: Any, reference: ReferenceData) -> ir.Table:
    """The offence reference rows as a table on the engine."""
    arrow = reference_arrow(reference)
    if engine != "duckdb":
        return ibis.memtable(arrow)
    # A real DuckDB table: joining 20 million events to an Arrow-backed memtable is several times
    # slower (measured in docs/decisions/0003-cohort-engine.md).
    name = f"cohort_reference_{uuid.uuid4().hex[:12]}"
    backend.con.from_arrow(arrow).create(name)
    return backend.table(name)


def _people(people_raw: ir.Table, pid: ir.IntegerValue | None = None) -> ir.Table:
    return people_raw.select(
        # Ordered so the numbering is the same on every engine and every run.
        pid=(
            ibis.row_number().over(order_by=[people_raw.source_system, people_raw.source_id])
            if pid is None
            else pid
        ).cast("int64"),
        person_key=people_raw.source_system.cast("string").concat(":", people_raw.source_id.cast("string")),
        source_system=people_raw.source_system.cast("string"),
        source_id=people_raw.source_id.cast("string"),
        pnc_id=_text(people_raw, "pnc_id"),
        date_of_birth=people_raw.date_of_birth.cast("date"),
        sex=people_raw.sex.cast("string"),
        # Read only by the fairness report (engine/fairness.py); no rule may use it.
        ethnicity=_text(people_raw, "ethnicity"),
    )


def _file_person_ids(ev: ir.Table, people: ir.Table) -> ir.Table:
    """Files name the person by person_source_id (in the event's source system) or by PNC ID.

    Events whose person is not in the people file cannot be attributed to anyone and are dropped.
    """
    # Joined on the two columns rather than a concatenated key: building 20 million key strings
    # costs more than the join itself. A file with only one kind of identifier is joined once.
    found: list[ir.Value] = []
    if "person_source_id" in ev.columns:
        by_key = people.select(_kpid="pid", _ksys="source_system", _ksrc="source_id")
        ev = ev.left_join(
            by_key,
            [
                ev.source_system.cast("string") == by_key._ksys,
                ev.person_source_id.cast("string") == by_key._ksrc,
            ],
        )
        found.append(ev._kpid)
    if "pnc_id" in ev.columns:
        by_pnc = people.filter(people.pnc_id.notnull()).select(_ppid="pid", _pnc_id="pnc_id")
        ev = ev.left_join(by_pnc, ev.pnc_id.cast("string") == by_pnc._pnc_id)
        found.append(ev._ppid)
    ev = ev.mutate(pid=ibis.coalesce(*found) if len(found) > 1 else found[0])
    return ev.filter(ev.pid.notnull())


def _events(ev: ir.Table, reference: ir.Table, *, keys: bool) -> ir.Table:
    """Normalise events that already carry a pid into the engine's events table (with the event
    keys esys and eid when `keys`)."""
    ref = reference.select(
        _code="offence_code",
        category="category",
        neighbourhood_crime="neighbourhood_crime",
        ogrs3_weight="ogrs3_weight",
    )
    ev = ev.left_join(ref, ev.offence_code.cast("string") == ref._code)
    offence_date = ev.offence_date.cast("date")
    outcome_date = ev.outcome_date.cast("date")
    key_columns = (
        {"esys": ev.source_system.cast("string"), "eid": ev.source_id.cast("string")} if keys else {}
    )
    return ev.select(
        pid=ev.pid.cast("int64"),
        **key_columns,
        event_type=ev.event_type.cast("string"),
        outcome_date=outcome_date,
        off_day=offence_date.epoch_days().cast("int64"),
        out_day=outcome_date.epoch_days().cast("int64"),
        category=ev.category,
        neighbourhood_crime=ev.neighbourhood_crime.fill_null(False),
        ogrs3_weight=ev.ogrs3_weight.cast("float64"),
        domestic_abuse=_flag(ev.domestic_abuse) if "domestic_abuse" in ev.columns else ibis.literal(False),
        victim_ref=_text(ev, "victim_ref"),
    )


def _file_fingerprint(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _read(backend: Any, engine: str, path: Path) -> ir.Table:
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    absolute = str(path.resolve())  # Spark does not resolve paths against the working directory.
    name = path.name.lower()
    if name.endswith(".parquet"):
        return backend.read_parquet(absolute)
    if name.endswith((".csv", ".csv.gz")):
        if engine == "duckdb":
            return backend.read_csv(absolute, all_varchar=True)
        return backend.read_csv(absolute, header=True, inferSchema=False)
    raise SourceError(f"{path}: expected a .parquet, .csv or .csv.gz file")


REQUIRED_PEOPLE = ("source_system", "source_id", "date_of_birth", "sex")
REQUIRED_EVENTS = ("source_system", "source_id", "event_type", "offence_date", "outcome_date", "offence_code")


def _check_columns(path: Path, table: ir.Table, required: Sequence[str]) -> None:
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise SourceError(f"{path.name}: missing column(s) {', '.join(missing)} (see docs/data-formats.md)")


def spark_session(master: str = "local[2]", shuffle_partitions: int = 4) -> Any:
    """A SparkSession for local runs; on a cluster, pass your own session to `file_source`."""
    from pyspark.sql import SparkSession

    # Workers must run the driver's Python (the machine default may be another minor version).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master)
        .appName("openiom-cohorts")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        # Temp views only: keep Spark from creating ./spark-warehouse in the working directory.
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="openiom-spark-"))
        .getOrCreate()
    )


def _materialise(engine: str, backend: Any, expr: ir.Table, kind: str) -> ir.Table:
    """Compute prepared rows once, so each rule does not re-read and re-join the files (and the
    row numbers behind pid are fixed)."""
    name = f"cohort_{kind}_{uuid.uuid4().hex[:12]}"
    if engine == "duckdb":
        return backend.create_table(name, expr, temp=True)
    # Spark: define a view (Ibis registers the in-memory reference table), then cache its rows.
    backend.create_view(f"{name}_definition", expr)
    backend._session.table(f"{name}_definition").persist().createOrReplaceTempView(name)
    return backend.table(name)


# Up to 4 million people (22 bits) the per-person counts use DuckDB's perfect hash aggregate: a
# plain array indexed by pid, faster than a hash table for the rules' group-bys (1.4x for 8 million
# events of 1 million people: `python -m bench.group_by_person`). Above that the array's memory
# outweighs the gain.
PERFECT_HASH_MAX_BITS = 22


def _group_by_person_directly(backend: Any, people: ir.Table) -> None:
    """pid is a dense row number 1..N, so a group-by on it can index an array directly; DuckDB does
    that only when the key fits in `perfect_ht_threshold` bits (12 by default)."""
    count = int(backend.to_pyarrow(people.count()).as_py()) if hasattr(backend, "to_pyarrow") else 0
    bits = max(12, count.bit_length())
    if bits <= PERFECT_HASH_MAX_BITS:
        backend.con.execute(f"SET perfect_ht_threshold = {bits}")


def file_source(
    *,
    people: Path | str,
    events: Path | str,
    engine: str = "duckdb",
    reference: ReferenceData | None = None,
    spark: Any = None,
    check: bool = False,
) -> Source:
    """People and events files (Parquet or CSV, docs/data-formats.md) on DuckDB or Spark. With
    `check`, `extract` reports the rows the engine will drop or doubt (one more pass over the files)."""
    people_path, events_path = Path(people), Path(events)
    reference = reference or builtin_reference()
    if engine == "duckdb":
        backend = ibis.duckdb.connect()
    elif engine == "spark":
        backend = ibis.pyspark.connect(spark or spark_session())
    else:
        raise SourceError(
            f"engine {engine!r}: files run on duckdb or spark (use 'database' for the app database)"
        )
    people_raw = _read(backend, engine, people_path)
    events_raw = _read(backend, engine, events_path)
    _check_columns(people_path, people_raw, REQUIRED_PEOPLE)
    _check_columns(events_path, events_raw, REQUIRED_EVENTS)
    if "person_source_id" not in events_raw.columns and "pnc_id" not in events_raw.columns:
        raise SourceError(f"{events_path.name}: needs a person_source_id or pnc_id column")
    people_t = _materialise(engine, backend, _people(people_raw), "people")
    if engine == "duckdb":
        _group_by_person_directly(backend, people_t)
    linked = _file_person_ids(events_raw, people_t)
    reference_t = reference_table(engine, backend, reference)
    events_t = _materialise(engine, backend, _events(linked, reference_t, keys=False), "events")
    keyed_t = _events(linked, reference_t, keys=True)
    extract = None
    if check:
        from openiom.cohorts.engine.extract_checks import check_extract

        extract = check_extract(
            backend, people_raw=people_raw, events_raw=events_raw, linked=linked, reference=reference_t
        )
    snapshot = {
        "kind": "files",
        "people": _file_fingerprint(people_path),
        "events": _file_fingerprint(events_path),
        "reference": f"{reference.version} ({reference.sha256[:12]})",
    }
    return Source(
        engine,
        backend,
        people_t.drop("pnc_id", "source_system", "source_id"),
        events_t,
        keyed_t,
        snapshot,
        extract=extract,
    )


@dataclass(frozen=True)
class PeopleScope:
    """Which people of the application database a run may see: those whose records came from one of
    `source_systems`, and the people of `scheme_ids` (the `scheme_person` rows). The web app and the
    command line derive it from the user's permissions (access.selectors.scheme_scope); the engine
    only applies it, so every engine restricts the same way."""

    source_systems: frozenset[str]
    scheme_ids: frozenset[int]

    def describe(self) -> str:
        systems = ", ".join(sorted(self.source_systems)) or "none"
        schemes = ", ".join(str(i) for i in sorted(self.scheme_ids)) or "none"
        return f"records of {systems}; people of schemes {schemes}"


def database_source(database: str | Any, *, scope: PeopleScope | None = None, cache: bool = True) -> Source:
    """The application database, read-only: a URL (`sqlite:///path`, `postgres://...`) or an Ibis
    backend already connected to it (the web app passes one made from Django's own connection).
    With `scope`, only the people it allows (and their events) are the population.

    Uses the active reference data set, as the imports do.
    """
    owns = isinstance(database, str)
    backend: Any = ibis.connect(database) if owns else database
    try:
        datasets = backend.table("reference_dataset")
    except Exception as exc:
        raise SourceError(f"{database}: not an OpenIOM database (run `iom manage migrate`)") from exc
    active = datasets.filter(_flag(datasets.is_active))
    found = backend.to_pandas(active.select("id", "version", "content_sha256"))
    if found.empty:
        raise SourceError("the application database has no active reference data set (iom reference load)")
    dataset_id = int(found["id"].iloc[0])
    offences = backend.table("reference_offence")
    categories = backend.table("reference_offence_category")
    offences = offences.filter(offences.dataset_id == dataset_id)
    categories = categories.filter(categories.dataset_id == dataset_id)
    reference = offences.join(categories, offences.category == categories.category).select(
        offence_code=offences.offence_code,
        category=offences.category,
        neighbourhood_crime=_flag(categories.neighbourhood_crime),
        ogrs3_weight=offences.ogrs3_weight.cast("float64"),
    )
    person = backend.table("person")
    event = backend.table("offending_event")
    # Linked source records are one person: the canonical record stands for them and carries the
    # events of every record linked to it (identity resolution, docs/identity.md).
    links = backend.table("identity_person_link").select(record=ibis._.record_id, canonical=ibis._.person_id)
    if scope is not None:
        allowed = person.source_system.isin(sorted(scope.source_systems))
        if scope.scheme_ids:
            members = backend.table("scheme_person")
            members = members.filter(members.scheme_id.isin(sorted(scope.scheme_ids)))
            allowed |= person.id.isin(members.person_id)
        person = person.filter(allowed)
        event = event.filter(event.person_id.isin(person.id))
    event = event.left_join(links, event.person_id == links.record).mutate(
        pid=ibis.coalesce(ibis._.canonical, ibis._.person_id)
    )
    person = person.filter(~person.id.isin(links.record))
    people_t = _people(person, pid=person.id)
    # The database links events to people by id, which serves as pid directly.
    events_t = _events(event, reference, keys=True)
    if cache and backend.name == "sqlite":
        # SQLite's parser has a fixed stack (3.40 gives up near 100 levels): the clauses' queries
        # nested over these would overflow it, so they start from temporary tables instead.
        people_t, events_t = people_t.cache(), events_t.cache()
    stats = backend.to_pandas(
        event.aggregate(events=ibis._.count(), events_updated=ibis._.updated_at.max().cast("string"))
    )
    pstats = backend.to_pandas(
        person.aggregate(people=ibis._.count(), people_updated=ibis._.updated_at.max().cast("string"))
    )
    snapshot = {
        "kind": "database",
        "backend": backend.name,
        "people": int(pstats["people"].iloc[0]),
        "people_updated": str(pstats["people_updated"].iloc[0]),
        "events": int(stats["events"].iloc[0]),
        "events_updated": str(stats["events_updated"].iloc[0]),
        "reference": f"{found['version'].iloc[0]} ({str(found['content_sha256'].iloc[0])[:12]})",
        "scope": scope.describe() if scope is not None else "everyone",
    }
    return Source(
        "database",
        backend,
        people_t.drop("pnc_id", "source_system", "source_id"),
        events_t,
        events_t,
        snapshot,
    )
