"""Offending histories for an evaluation, in an embedded DuckDB database.

Reads the people and events files in the documented formats (docs/data-formats.md), resolves each
event to its person, attaches the offence reference data, and derives from the histories:

- eligible **index events** (MoJ proven reoffending cohort rules): release from custody, a
  non-custodial court sentence, or a caution;
- the **covariates** used for matching, computed only from what was known on the index date.

Nothing here imports Django; the module is used by the command line, the web page and the benchmark.

SQL text is assembled only from table and column names chosen in this code (hence the S608
suppressions); file paths and dates are always bound as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from openiom.reference.datafiles import ReferenceData
from openiom.vocabulary import EVENT_TYPES, PROVEN, sql_list

PEOPLE_COLUMNS = ("source_system", "source_id", "date_of_birth", "sex")
EVENT_COLUMNS = ("source_system", "source_id", "event_type", "offence_date", "outcome_date", "offence_code")
FAR_FUTURE = "9999-12-31"
# Offence groups of the reference data, in a fixed order so design matrices never depend on data order.
NUMERIC_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "FLOAT",
    "DOUBLE",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)
OFFENCE_GROUPS = ("violence", "sexual", "acquisitive", "damage", "drugs", "other", "unknown", "none")


class InputError(ValueError):
    """An input file is unusable; the message names the file, row and field."""


@dataclass(frozen=True)
class LoadSummary:
    people: int
    events: int
    events_unknown_offence: int
    data_end: date


def _load_file(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> bool:
    """Make `table` the file's rows with a 1-based `_row` (the data row number).

    Parquet is typed and cheap to rescan, so it stays a view over the file (no copy of millions of rows);
    CSV is read once into a table of text columns. Returns whether the file is CSV.
    """
    name = path.name.lower()
    # A second file read under the same name may be of the other kind (view or table).
    views = con.execute("select count(*) from duckdb_views() where view_name = ?", [table]).fetchone()
    if views and views[0]:
        con.execute(f"drop view {table}")
    tables = con.execute("select count(*) from duckdb_tables() where table_name = ?", [table]).fetchone()
    if tables and tables[0]:
        con.execute(f"drop table {table}")
    try:
        if name.endswith(".parquet"):
            literal = "'" + str(path).replace("'", "''") + "'"
            con.execute(
                f"create or replace temp view {table} as select file_row_number + 1 as _row, "  # noqa: S608
                f"* exclude (file_row_number) from read_parquet({literal}, file_row_number=true)"
            )
            con.execute(f"select * from {table} limit 0")  # noqa: S608
            return False
        elif name.endswith((".csv", ".csv.gz")):
            con.execute(
                f"create or replace temp table {table} as select row_number() over () as _row, * "  # noqa: S608
                "from read_csv($path, header=true, all_varchar=true)",
                {"path": str(path)},
            )
            return True
        else:
            raise InputError(f"{path.name}: unsupported file type (use .csv, .csv.gz or .parquet)")
    except duckdb.Error as exc:
        raise InputError(f"{path.name}: cannot be read ({exc})") from exc


def _types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"describe {table}").fetchall()}


def _require_columns(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, required: tuple[str, ...]
) -> None:
    have = _types(con, table)
    missing = [c for c in required if c not in have]
    if missing:
        raise InputError(f"{path.name}: missing column(s) {', '.join(missing)}")


def _text(types: dict[str, str], column: str, *, case: str = "", trim: bool = True) -> str:
    """SQL for a text column: empty as null, trimmed unless `trim` is false (typed Parquet columns, where
    trimming millions of values costs seconds); null when the optional column is absent."""
    if column not in types:
        return "cast(null as varchar)"
    expr = f"nullif({'trim' if trim else ''}(cast({column} as varchar)), '')"
    return f"{case}({expr})" if case else expr


def _date(types: dict[str, str], column: str) -> str:
    """SQL for a date column: native Parquet dates are used as they are, text is parsed."""
    if column not in types:
        return "cast(null as date)"
    if types[column] == "DATE":
        return column
    if types[column].startswith("TIMESTAMP"):
        return f"cast({column} as date)"
    return f"try_cast(nullif(trim(cast({column} as varchar)), '') as date)"


def _check_dates(con: duckdb.DuckDBPyConnection, table: str, path: Path, columns: list[str]) -> None:
    types = _types(con, table)
    for column in [c for c in columns if c in types and types[c] == "VARCHAR"]:
        bad = con.execute(
            f"select _row, {column} from {table} where trim({column}) <> '' "  # noqa: S608
            f"and try_cast(trim({column}) as date) is null order by _row limit 1"
        ).fetchone()
        if bad:
            raise InputError(
                f"{path.name} row {bad[0]}, field {column}: {bad[1]!r} is not a valid date (YYYY-MM-DD)"
            )


def _first_bad(con: duckdb.DuckDBPyConnection, sql: str, path: Path, field: str, why: str) -> None:
    bad = con.execute(sql + " order by _row limit 1").fetchone()
    if bad:
        raise InputError(f"{path.name} row {bad[0]}, field {field}: {bad[1]!r} {why}")


def _reference_tables(con: duckdb.DuckDBPyConnection, reference: ReferenceData) -> None:
    categories = reference.category_by_key()
    offences = pd.DataFrame(
        {
            "offence_code": [r["offence_code"] for r in reference.offences],
            "offence_group": [categories[r["category"]]["proven_offence_group"] for r in reference.offences],
            "cost_category": [r["cost_category"] or None for r in reference.offences],
            "css_weight": [float(r["css_weight"]) if r["css_weight"] else None for r in reference.offences],
        }
    )
    costs = pd.DataFrame(
        {
            "cost_category": [r["cost_category"] for r in reference.unit_costs],
            "unit_cost": [
                float(r["unit_cost_gbp"]) if r["unit_cost_gbp"] else None for r in reference.unit_costs
            ],
        }
    )
    con.register("offence_ref_view", offences)
    con.register("unit_cost_ref_view", costs)
    con.execute(
        "create or replace temp table offence_ref as select o.*, u.unit_cost from offence_ref_view o "
        "left join unit_cost_ref_view u using (cost_category)"
    )


def load_histories(
    con: duckdb.DuckDBPyConnection,
    people_path: Path,
    events_path: Path,
    reference: ReferenceData,
    data_end: date | None = None,
) -> LoadSummary:
    """Create tables `people` and `events` in `con`. Raises InputError naming the first bad row."""
    _load_file(con, "raw_people", people_path)
    _require_columns(con, "raw_people", people_path, PEOPLE_COLUMNS)
    _check_dates(con, "raw_people", people_path, ["date_of_birth"])
    pt = _types(con, "raw_people")
    con.execute(
        f"""create or replace table people as select _row as person_key,
            {_text(pt, "source_system")} as source_system, {_text(pt, "source_id")} as source_id,
            {_text(pt, "pnc_id")} as pnc_id, {_date(pt, "date_of_birth")} as date_of_birth,
            {_text(pt, "sex", case="upper")} as sex
        from raw_people"""  # noqa: S608
    )
    _first_bad(
        con,
        "select person_key as _row, date_of_birth from people where date_of_birth is null",
        people_path,
        "date_of_birth",
        "is required",
    )
    _first_bad(
        con,
        "select person_key as _row, sex from people where sex is null or sex not in ('M', 'F', 'X')",
        people_path,
        "sex",
        "must be M, F or X",
    )
    _first_bad(
        con,
        "select person_key as _row, source_id from (select *, count(*) over (partition by source_system, source_id) n "
        "from people) where n > 1",
        people_path,
        "source_id",
        "appears more than once in its source_system",
    )

    events_csv = _load_file(con, "raw_events", events_path)
    _require_columns(con, "raw_events", events_path, EVENT_COLUMNS)
    _check_dates(
        con, "raw_events", events_path, ["offence_date", "outcome_date", "custody_start", "release_date"]
    )
    et = _types(con, "raw_events")
    _reference_tables(con, reference)
    by_pnc = ""
    person = "p1.person_key"
    if "pnc_id" in et:
        by_pnc = (
            "left join (select pnc_id, min(person_key) as person_key from people where pnc_id is not null "
            "group by pnc_id) p2 on p2.pnc_id = r.pnc_id"
        )
        person = "coalesce(p1.person_key, p2.person_key)"
    con.execute(
        f"""create or replace table events as
        with r as (
            select _row, {_text(et, "source_system", trim=events_csv)} as source_system,
                {_text(et, "person_source_id", trim=events_csv)} as person_source_id, {_text(et, "pnc_id", trim=events_csv)} as pnc_id,
                {_text(et, "event_type", case="lower", trim=events_csv)} as event_type,
                {_date(et, "offence_date")} as offence_date, {_date(et, "outcome_date")} as outcome_date,
                {_text(et, "offence_code", trim=events_csv)} as offence_code, {_text(et, "disposal", case="lower", trim=events_csv)} as disposal,
                {_date(et, "custody_start")} as custody_start, {_date(et, "release_date")} as release_date
            from raw_events
        )
        select {person} as person_key, r._row, r.event_type, r.offence_date, r.outcome_date, r.disposal,
            r.custody_start, r.release_date, r.event_type in {sql_list(PROVEN)} as proven,
            coalesce(o.offence_group, 'unknown') as offence_group, o.offence_code is not null as known_offence,
            o.cost_category, o.css_weight, o.unit_cost
        from r
        left join people p1 on p1.source_system = r.source_system and p1.source_id = r.person_source_id
        {by_pnc}
        left join offence_ref o on o.offence_code = r.offence_code"""  # noqa: S608
    )
    for field in ("offence_date", "outcome_date"):
        _first_bad(
            con,
            f"select _row, {field} from events where {field} is null",  # noqa: S608
            events_path,
            field,
            "is required",
        )
    _first_bad(
        con,
        f"select _row, event_type from events where event_type is null or event_type not in {sql_list(EVENT_TYPES)}",  # noqa: S608
        events_path,
        "event_type",
        f"must be one of {', '.join(EVENT_TYPES)}",
    )
    _first_bad(
        con,
        "select _row, custody_start from events where disposal = 'custody' and custody_start is null",
        events_path,
        "custody_start",
        "is required when disposal is custody",
    )
    # The person reference is read back from the file only for the error message: carrying it in `events`
    # would copy millions of strings.
    unresolved = con.execute("select min(_row) from events where person_key is null").fetchone()
    if unresolved and unresolved[0] is not None:
        ref = "trim(coalesce(person_source_id, pnc_id))" if "pnc_id" in et else "trim(person_source_id)"
        _first_bad(
            con,
            f"select _row, {ref} from raw_events where _row = {int(unresolved[0])}",  # noqa: S608
            events_path,
            "person_source_id",
            "does not name a person in the people file",
        )
    counts = con.execute(
        "select (select count(*) from people), count(*), count(*) filter (where not known_offence), "
        "max(outcome_date) from events"
    ).fetchone()
    assert counts is not None
    end = data_end or counts[3]
    if end is None:
        raise InputError(f"{events_path.name}: the file has no events")
    return LoadSummary(people=counts[0], events=counts[1], events_unknown_offence=counts[2], data_end=end)


def read_people_list(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, *, date_column: str = "index_date"
) -> int:
    """Read a treated-people (or pool) file of source_id, index_date and optional source_system into `table`.

    Each row must name exactly one person; an unknown or ambiguous person, a bad date or a duplicate is an
    error naming the row.
    """
    _load_file(con, "raw_list", path)
    _require_columns(con, "raw_list", path, ("source_id", date_column))
    system = _text(_types(con, "raw_list"), "source_system")
    con.execute(
        f"""create or replace temp table list_text as select _row, trim(cast(source_id as varchar)) as source_id,
            {system} as source_system, nullif(trim(cast({date_column} as varchar)), '') as index_date from raw_list"""  # noqa: S608
    )
    _first_bad(
        con,
        "select _row, index_date from list_text where index_date is null",
        path,
        date_column,
        "is required",
    )
    _check_dates(con, "list_text", path, ["index_date"])
    # The equality join comes first and the optional source_system is a filter after it: with the `or` in
    # the join condition DuckDB falls back to a nested loop (5,000 x 1 million took 7 seconds).
    con.execute(
        """create or replace temp table list_resolved as
        with candidates as (
            select l._row, p.person_key from list_text l join people p on p.source_id = l.source_id
            where l.source_system is null or p.source_system = l.source_system
        )
        select l._row, l.source_id, cast(l.index_date as date) as index_date,
               count(c.person_key) as matches, min(c.person_key) as person_key
        from list_text l left join candidates c using (_row)
        group by all"""
    )
    _first_bad(
        con,
        "select _row, source_id from list_resolved where matches = 0",
        path,
        "source_id",
        "is not in the people file",
    )
    _first_bad(
        con,
        "select _row, source_id from list_resolved where matches > 1",
        path,
        "source_id",
        "is in more than one source_system: add a source_system column",
    )
    _first_bad(
        con,
        "select _row, source_id from (select *, count(*) over (partition by person_key) n from list_resolved) where n > 1",
        path,
        "source_id",
        "appears more than once",
    )
    con.execute(f"create or replace temp table {table} as select person_key, index_date from list_resolved")  # noqa: S608
    count = con.execute(f"select count(*) from {table}").fetchone()  # noqa: S608
    return int(count[0]) if count else 0


def create_index_events(con: duckdb.DuckDBPyConnection) -> None:
    """Table `index_events(person_key, index_date, index_type)`: every eligible MoJ index event.

    Custody periods that overlap (concurrent or consecutive sentences) are merged into one spell: only the
    end of the spell is a release, since a release from one sentence while serving another is not a return
    to the community. A non-custodial sentence or caution given while the person is in custody is not an
    index event for the same reason. A spell without a release date is still running.
    """
    con.execute(
        f"""create or replace temp table custody_spells as
        with cust as (
            select person_key, custody_start as s, coalesce(release_date, DATE '{FAR_FUTURE}') as e
            from events where event_type = 'conviction' and disposal = 'custody'
        ), ordered as (
            select *, max(e) over (partition by person_key order by s, e
                                   rows between unbounded preceding and 1 preceding) as prev_end
            from cust
        ), numbered as (
            select *, sum(case when prev_end is null or s > prev_end then 1 else 0 end)
                over (partition by person_key order by s, e rows unbounded preceding) as spell
            from ordered
        )
        select person_key, spell, min(s) as s, max(e) as e from numbered group by person_key, spell"""  # noqa: S608
    )
    con.execute(
        f"""create or replace temp table index_events as
        select person_key, e as index_date, 'custody_release' as index_type
        from custody_spells where e < DATE '{FAR_FUTURE}'
        union all
        select ev.person_key, ev.outcome_date,
               case when ev.event_type = 'caution' then 'caution' else 'court_order' end
        from events ev
        left join custody_spells sp
          on sp.person_key = ev.person_key and ev.outcome_date >= sp.s and ev.outcome_date < sp.e
        where (ev.event_type = 'caution' or (ev.event_type = 'conviction' and ev.disposal <> 'custody'))
          and sp.person_key is null"""  # noqa: S608
    )


def create_pool(
    con: duckdb.DuckDBPyConnection, window_start: date, window_end: date, data_end: date
) -> dict[str, int]:
    """Table `pool(person_key, index_date)`: untreated people with an eligible index event in the window.

    Each person's index date is their first eligible index event in the window (the MoJ rule), and only
    people whose follow-up and waiting period (18 months) ended by `data_end` are kept.
    """
    con.execute(
        """create or replace temp table pool_all as
        select ie.person_key, min(ie.index_date) as index_date from index_events ie
        where ie.index_date between ? and ?
          and ie.person_key not in (select person_key from treated)
        group by ie.person_key""",
        [window_start, window_end],
    )
    con.execute(
        "create or replace temp table pool as select * from pool_all "
        "where cast(index_date + interval 18 month as date) <= ?",
        [data_end],
    )
    row = con.execute("select (select count(*) from pool_all), (select count(*) from pool)").fetchone()
    assert row is not None
    return {"eligible": int(row[0]), "follow_up_complete": int(row[1])}


def history_covariates(con: duckdb.DuckDBPyConnection, cohort_table: str) -> pd.DataFrame:
    """One row per person in `cohort_table(person_key, index_date, treated)` with the history covariates.

    Counts include proven offences (convictions and cautions) disposed of on or before the index date,
    so the index event itself is part of the history and nothing after it is. The index offence group is
    that of the latest proven offence; offences proven on the same day are ordered by offence date, then
    group name, never by their row in the events file.
    """
    return con.execute(
        f"""select c.person_key, c.treated, c.index_date,
            round(datediff('day', p.date_of_birth, c.index_date) / 365.25, 4) as age,
            p.sex,
            count(e.person_key) filter (where e.proven) as prior_sanctions,
            count(e.person_key) filter (where e.proven and e.outcome_date > cast(c.index_date - interval 1 year as date))
                as prior_sanctions_1y,
            count(e.person_key) filter (where e.proven and e.disposal = 'custody') as prior_custody,
            count(e.person_key) filter (where e.proven and e.offence_group = 'violence') as prior_violence,
            count(e.person_key) filter (where e.proven and e.offence_group = 'acquisitive') as prior_acquisitive,
            count(e.person_key) filter (where e.proven and e.offence_group = 'drugs') as prior_drugs,
            coalesce(round(datediff('day', min(e.outcome_date) filter (where e.proven), c.index_date) / 365.25, 4), 0)
                as years_since_first_sanction,
            coalesce(arg_max(e.offence_group, (e.outcome_date, e.offence_date, e.offence_group)) filter (where e.proven), 'none')
                as index_offence_group
        from {cohort_table} c
        join people p on p.person_key = c.person_key
        left join events e on e.person_key = c.person_key and e.outcome_date <= c.index_date
        group by c.person_key, c.treated, c.index_date, p.date_of_birth, p.sex
        order by c.person_key"""  # noqa: S608
    ).df()


def read_supplied_covariates(con: duckdb.DuckDBPyConnection, path: Path, columns: list[str]) -> None:
    """Table `supplied(person_key, columns...)` from the supplied covariate file: source_id (and optional
    source_system) plus the named columns.

    Numeric columns stay numeric, anything else is categorical (trimmed text). An empty cell is an error
    naming the row and column: matching needs a value for every covariate. Rows naming nobody in the
    people file are ignored. The work stays in DuckDB: a million rows through pandas string columns cost
    seconds.
    """
    _load_file(con, "raw_covariates", path)
    types = _types(con, "raw_covariates")
    if "source_id" not in types:
        raise InputError(f"{path.name}: missing column source_id")
    missing = [c for c in columns if c not in types]
    if missing:
        raise InputError(f"{path.name}: missing column(s) {', '.join(missing)}")
    values = []
    for column in columns:
        quoted = '"' + column.replace('"', '""') + '"'
        text = f"trim(cast({quoted} as varchar))"
        empty = con.execute(
            f"select min(_row) from raw_covariates where {quoted} is null or {text} = ''"  # noqa: S608
        ).fetchone()
        if empty and empty[0] is not None:
            raise InputError(f"{path.name} row {empty[0]}, field {column}: a value is required")
        numeric = types[column] in NUMERIC_TYPES or types[column].startswith("DECIMAL")
        if not numeric:
            row = con.execute(
                f"select count(*) filter (where try_cast({text} as double) is null) from raw_covariates"  # noqa: S608
            ).fetchone()
            numeric = row is not None and row[0] == 0
        values.append(f"cast({text} as double) as {quoted}" if numeric else f"{text} as {quoted}")
    has_system = "source_system" in types
    system = _text(types, "source_system")
    key = f"{system}, trim(cast(source_id as varchar))" if has_system else "trim(cast(source_id as varchar))"
    _first_bad(
        con,
        f"select _row, source_id from (select _row, source_id, count(*) over (partition by {key}) n "  # noqa: S608
        "from raw_covariates) where n > 1",
        path,
        "source_id",
        "appears more than once",
    )
    on = (
        "p.source_system = r.source_system and p.source_id = r.source_id"
        if has_system
        else ("p.source_id = r.source_id")
    )
    con.execute(
        f"""create or replace temp table supplied as
        with r as (
            select {system} as source_system, trim(cast(source_id as varchar)) as source_id, {", ".join(values)}
            from raw_covariates
        )
        select p.person_key, {", ".join("r." + v.rsplit(" as ", 1)[1] for v in values)}
        from r join people p on {on}"""  # noqa: S608
    )


def attach_supplied(
    con: duckdb.DuckDBPyConnection, covariates: pd.DataFrame, cohort_table: str, columns: list[str]
) -> tuple[pd.DataFrame, int, int]:
    """Add the `supplied` columns to the covariates of `cohort_table` (one row per person, in person_key
    order, as `history_covariates` returns them); people without a row are dropped.

    Returns (frame, treated dropped, pool dropped).
    """
    selected = ", ".join('s."' + c.replace('"', '""') + '"' for c in columns)
    linked = con.execute(
        f"select c.person_key, {selected} from {cohort_table} c "  # noqa: S608
        "left join supplied s using (person_key) order by c.person_key"
    ).df()
    if not (linked["person_key"].to_numpy() == covariates["person_key"].to_numpy()).all():
        raise AssertionError("supplied covariates are not aligned with the cohort")
    merged = covariates.copy()
    for column in columns:
        merged[column] = linked[column].to_numpy()
    lacking = merged[columns].isna().any(axis=1)
    treated = merged["treated"].astype(bool)
    treated_dropped = int((lacking & treated).sum())
    pool_dropped = int((lacking & ~treated).sum())
    return merged[~lacking].reset_index(drop=True), treated_dropped, pool_dropped
