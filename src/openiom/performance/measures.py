"""Before/after measures of offending, harm and cost for managed people and their comparison group.

Pure computation on an embedded DuckDB connection holding an `events` table in the shape
`openiom.evaluation.histories.load_histories` makes (person_key, event_type, offence_date,
outcome_date, disposal, custody_start, release_date, proven, css_weight, unit_cost): the file
reader for the command line and the benchmark, and the shape the web selectors build from the
application database. Nothing here imports Django.

The rules (docs/performance.md defines each one):

- each person has an *anchor*: the adoption date for managed people, the date they qualified under
  the selection definition for the comparison group. The *before* window is the `months` before
  the anchor, the *after* window the `months` from the anchor (the anchor day is in it);
- proven offences and convictions are dated by the offence date, arrests by the arrest (outcome)
  date; nothing dated, or proven, after the as-of date is counted;
- custody days (merged custody spells, a spell without a release still running) are taken out of
  each window to give days at liberty, and each measure is also given per 365 days at liberty;
- an after window that ends after the as-of date is *partial*: shown per person, never in cohort
  totals (counting its missing months as no offending would invent a fall).

SQL text is assembled only from names chosen in this module (hence the S608 suppressions); dates and
numbers are bound as parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from openiom.vocabulary import PROVEN, sql_list

if TYPE_CHECKING:
    # Imported where used: the web pages import this module, and a worker must start fast.
    import duckdb
    import numpy as np
    import pandas as pd

WINDOW_MONTHS = (3, 6, 12, 24)
DEFAULT_MONTHS = 12
SERIES_MONTHS = 24
MANAGED = "managed"
COMPARISON = "comparison"
MEASURES = ("proven", "arrests", "convictions", "harm", "cost")
MEASURE_LABELS = {
    "proven": "Proven offences",
    "arrests": "Arrests",
    "convictions": "Convictions",
    "harm": "Harm (Crime Severity Score)",
    "cost": "Cost of crime (£)",
}
DIMENSIONS = ("scheme", "stream", "lead_agency", "key_worker", "quarter")
DIMENSION_LABELS = {
    "scheme": "Scheme",
    "stream": "Stream",
    "lead_agency": "Lead agency",
    "key_worker": "Key worker",
    "quarter": "Adoption quarter",
}
MEMBER_COLUMNS = ("person_key", "group", "anchor")


class MeasureError(ValueError):
    """The request cannot be measured; the message names the parameter."""


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class CohortMeasure:
    """One measure for one group of people with complete windows."""

    measure: str
    basis: str  # "count" (per person in the window) or "liberty" (per 365 days at liberty)
    people: int
    total_before: float
    total_after: float
    mean_before: float
    mean_after: float
    change: Interval | None  # mean per-person change, after minus before
    per_cent: Interval | None  # the change as a share of the mean before

    @property
    def label(self) -> str:
        return MEASURE_LABELS[self.measure]


@dataclass(frozen=True)
class Comparison:
    """The naive before/after beside the comparison group's, and their difference."""

    measure: str
    basis: str
    managed: CohortMeasure
    comparison: CohortMeasure | None
    did: Interval | None
    sentence: str


@dataclass
class Diagnostics:
    """What was left out of the figures, and why, for the page to explain."""

    as_of: date
    months: int
    members: dict[str, int] = field(default_factory=dict)
    complete: dict[str, int] = field(default_factory=dict)
    partial: dict[str, int] = field(default_factory=dict)
    no_anchor: dict[str, int] = field(default_factory=dict)
    anchor_after_as_of: dict[str, int] = field(default_factory=dict)
    no_events: dict[str, int] = field(default_factory=dict)
    always_in_custody: dict[str, int] = field(default_factory=dict)
    events_after_as_of: int = 0
    proven_without_harm_weight: int = 0
    proven_without_unit_cost: int = 0
    proven_in_windows: int = 0

    def notes(self) -> list[str]:
        """Plain sentences for the page: every exclusion named, nothing silently zero."""
        out: list[str] = []
        for group, noun in ((MANAGED, "managed people"), (COMPARISON, "comparison people")):
            if self.no_anchor.get(group):
                what = "adoption date" if group == MANAGED else "qualifying date"
                out.append(f"{self.no_anchor[group]} {noun} have no {what} and are left out.")
            if self.anchor_after_as_of.get(group):
                out.append(
                    f"{self.anchor_after_as_of[group]} {noun} start after the as-of date "
                    f"({self.as_of:%d %B %Y}) and are left out."
                )
            if self.partial.get(group):
                out.append(
                    f"{self.partial[group]} {noun} have an after window not yet complete: they are "
                    "shown as partial and left out of the totals, not counted as no offending."
                )
            if self.no_events.get(group):
                out.append(
                    f"{self.no_events[group]} {noun} have no recorded events in their windows: they "
                    "count as no offending, which is what their records show."
                )
            if self.always_in_custody.get(group):
                out.append(
                    f"{self.always_in_custody[group]} {noun} spent a whole window in custody: they have "
                    "no rate per 365 days at liberty and are left out of the rates."
                )
        if self.events_after_as_of:
            out.append(
                f"{self.events_after_as_of} events dated or proven after the as-of date are not counted."
            )
        if self.proven_without_harm_weight:
            out.append(
                f"{self.proven_without_harm_weight} of {self.proven_in_windows} proven offences have no "
                "Crime Severity Score weight in the reference data and add no harm."
            )
        if self.proven_without_unit_cost:
            out.append(
                f"{self.proven_without_unit_cost} of {self.proven_in_windows} proven offences have no "
                "Home Office unit cost in the reference data and add no cost."
            )
        return out


@dataclass
class Measures:
    """Everything the dashboard, the case panel and the report show."""

    diagnostics: Diagnostics
    people: pd.DataFrame  # one row per person and window (see person_windows)
    cohort: list[CohortMeasure]
    comparisons: list[Comparison]
    breakdowns: dict[str, list[tuple[str, list[CohortMeasure]]]]
    series: pd.DataFrame  # group, month (-24..24), people observed, proven per person

    def comparison(self, measure: str, basis: str = "count") -> Comparison | None:
        return next((c for c in self.comparisons if c.measure == measure and c.basis == basis), None)


def check_months(months: int) -> int:
    if months not in WINDOW_MONTHS:
        choices = ", ".join(str(m) for m in WINDOW_MONTHS)
        raise MeasureError(f"months: {months} is not one of {choices}")
    return months


def _prepare_members(con: duckdb.DuckDBPyConnection, members: pd.DataFrame, as_of: date, months: int) -> None:
    import pandas as pd

    missing = [c for c in MEMBER_COLUMNS if c not in members.columns]
    if missing:
        raise MeasureError(f"members: missing column(s) {', '.join(missing)}")
    frame = members.copy()
    for column in DIMENSIONS:
        if column not in frame.columns:
            frame[column] = None
    frame["anchor"] = pd.to_datetime(frame["anchor"]).dt.date
    frame = frame[[*MEMBER_COLUMNS, *DIMENSIONS]]
    con.register("perf_members_in", frame)
    con.execute(
        """create or replace temp table perf_members as
        select person_key, "group" as grp, cast(anchor as date) as anchor,
            cast(scheme as varchar) as scheme, cast(stream as varchar) as stream,
            cast(lead_agency as varchar) as lead_agency, cast(key_worker as varchar) as key_worker,
            case when anchor is null then null
                 else year(anchor) || 'Q' || quarter(anchor) end as quarter,
            cast(anchor - to_months($months) as date) as before_start,
            cast(anchor + to_months($months) as date) as after_end
        from perf_members_in""",
        {"months": months},
    )
    con.unregister("perf_members_in")
    con.execute(
        "create or replace temp table perf_measured as select * from perf_members "
        "where anchor is not null and anchor <= $as_of",
        {"as_of": as_of},
    )


def _windows(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """One row per measured person and window with counts, custody and liberty days."""
    end = as_of + timedelta(days=1)  # the first day not observed
    return con.execute(
        """with m as (
            select * from perf_measured
        ), w as (
            select person_key, grp, 'before' as wnd, before_start as ws, anchor as we, false as partial
            from m
            union all
            select person_key, grp, 'after', anchor, least(after_end, $end), after_end > $end from m
        ), ev as (
            select e.person_key, e.event_type, e.proven, e.css_weight, e.unit_cost,
                case when e.event_type = 'arrest' then e.outcome_date else e.offence_date end as day
            from perf_events e
            where e.outcome_date < $end and e.offence_date < $end
        ), counted as (
            select w.person_key, w.wnd,
                count(*) filter (where ev.proven) as proven,
                count(*) filter (where ev.event_type = 'arrest') as arrests,
                count(*) filter (where ev.event_type = 'conviction') as convictions,
                coalesce(sum(ev.css_weight) filter (where ev.proven), 0) as harm,
                coalesce(sum(ev.unit_cost) filter (where ev.proven), 0) as cost,
                count(*) filter (where ev.proven and ev.css_weight is null) as no_weight,
                count(*) filter (where ev.proven and ev.unit_cost is null) as no_cost,
                count(*) as events
            from w join ev on ev.person_key = w.person_key and ev.day >= w.ws and ev.day < w.we
            group by all
        ), cust as (
            select e.person_key, e.custody_start as s,
                least(coalesce(e.release_date, $end), $end) as e
            from perf_events e
            where e.event_type = 'conviction' and e.disposal = 'custody' and e.custody_start is not null
              and e.custody_start < $end
        ), ordered as (
            select *, max(e) over (partition by person_key order by s, e
                                   rows between unbounded preceding and 1 preceding) as prev_end
            from cust
        ), numbered as (
            select *, sum(case when prev_end is null or s > prev_end then 1 else 0 end)
                over (partition by person_key order by s, e rows unbounded preceding) as spell
            from ordered
        ), spells as (
            select person_key, min(s) as s, max(e) as e from numbered group by person_key, spell
        ), custody as (
            select w.person_key, w.wnd,
                sum(greatest(0, datediff('day', greatest(sp.s, w.ws), least(sp.e, w.we)))) as custody_days
            from w join spells sp on sp.person_key = w.person_key and sp.s < w.we and sp.e > w.ws
            group by all
        )
        select w.person_key, w.grp as "group", w.wnd as "window", w.ws as window_start, w.we as window_end,
            w.partial, datediff('day', w.ws, w.we) as days,
            coalesce(c.custody_days, 0) as custody_days,
            coalesce(n.proven, 0) as proven, coalesce(n.arrests, 0) as arrests,
            coalesce(n.convictions, 0) as convictions, coalesce(n.harm, 0) as harm,
            coalesce(n.cost, 0) as cost, coalesce(n.no_weight, 0) as no_weight,
            coalesce(n.no_cost, 0) as no_cost, coalesce(n.events, 0) as events
        from w left join counted n using (person_key, wnd) left join custody c using (person_key, wnd)
        order by w.person_key, w.wnd desc""",
        {"end": end},
    ).df()


def _liberty(people: pd.DataFrame) -> pd.DataFrame:
    people["liberty_days"] = people["days"] - people["custody_days"]
    liberty = people["liberty_days"].where(people["liberty_days"] > 0)
    for measure in MEASURES:
        people[f"{measure}_per_365"] = people[measure] * 365.0 / liberty
    return people


def _interval(values: np.ndarray) -> Interval | None:
    """The mean with its 95% t interval; None for fewer than two values."""
    from scipy import stats

    n = len(values)
    if n < 2:
        return None
    mean = float(values.mean())
    sd = float(values.std(ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half)


def _pair(wide: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """The before and after values of the people who have both (no rate without a day at liberty)."""
    import numpy as np

    before = wide[f"{column}_before"].to_numpy(dtype=float)
    after = wide[f"{column}_after"].to_numpy(dtype=float)
    keep = ~(np.isnan(before) | np.isnan(after))
    return before[keep], after[keep]


def _cohort_measure(wide: pd.DataFrame, measure: str, basis: str) -> CohortMeasure:
    column = measure if basis == "count" else f"{measure}_per_365"
    before, after = _pair(wide, column)
    n = len(before)
    mean_before = float(before.mean()) if n else 0.0
    mean_after = float(after.mean()) if n else 0.0
    change = _interval(after - before)
    per_cent = None
    if change is not None and mean_before > 0:
        # The interval of the change over the mean before, the before mean taken as known.
        per_cent = Interval(
            100 * change.estimate / mean_before,
            100 * change.low / mean_before,
            100 * change.high / mean_before,
        )
    return CohortMeasure(
        measure,
        basis,
        n,
        float(before.sum()),
        float(after.sum()),
        mean_before,
        mean_after,
        change,
        per_cent,
    )


def _wide(people: pd.DataFrame) -> pd.DataFrame:
    """One row per person with complete windows: each measure before and after."""
    import pandas as pd

    complete = people.groupby("person_key")["partial"].transform("any")
    rows = people[~complete]
    values = [*MEASURES, *(f"{m}_per_365" for m in MEASURES)]
    columns = [f"{name}_{window}" for name in values for window in ("before", "after")]
    if rows.empty:
        return pd.DataFrame(columns=["person_key", *columns])
    wide = rows.pivot(index="person_key", columns="window", values=values)
    wide.columns = [f"{name}_{window}" for name, window in wide.columns]
    return wide.reindex(columns=columns).reset_index()


def _did(managed: pd.DataFrame, comparison: pd.DataFrame, column: str) -> Interval | None:
    def changes(wide: pd.DataFrame) -> np.ndarray:
        before, after = _pair(wide, column)
        change: np.ndarray = after - before
        return change

    a, b = changes(managed), changes(comparison)
    if len(a) < 2 or len(b) < 2:
        return None
    estimate = float(a.mean() - b.mean())
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return Interval(estimate, estimate - 1.96 * se, estimate + 1.96 * se)


def _number(value: float, measure: str) -> str:
    if measure == "cost":
        return f"£{value:,.0f}"
    return f"{value:,.2f}"


def comparison_sentence(
    measure: str, managed: CohortMeasure, comparison: CohortMeasure | None, did: Interval | None
) -> str:
    """One plain sentence: how much of the cohort's change the comparison group also showed."""
    label = MEASURE_LABELS[measure].lower()
    if comparison is None or comparison.change is None or managed.change is None:
        return (
            f"There is no comparison group for {label}: the before/after change of the managed people "
            "cannot be told apart from what would have happened anyway."
        )
    m, c = managed.change.estimate, comparison.change.estimate
    did_text = ""
    if did is not None:
        did_text = (
            f" The difference-in-differences is {_number(did.estimate, measure)} per person "
            f"(95% interval {_number(did.low, measure)} to {_number(did.high, measure)})."
        )
    if m >= 0:
        return (
            f"{MEASURE_LABELS[measure]} did not fall for the managed people (change {_number(m, measure)} "
            f"per person); the comparison group changed by {_number(c, measure)}.{did_text}"
        )
    if c >= 0:
        return (
            f"The managed people's {label} fell by {_number(-m, measure)} per person while the comparison "
            f"group's did not fall (change {_number(c, measure)}).{did_text}"
        )
    share = min(100.0, 100 * c / m)
    return (
        f"The managed people's {label} fell by {_number(-m, measure)} per person; the comparison group's "
        f"fell by {_number(-c, measure)}, so about {share:.0f}% of the fall would probably have happened "
        f"anyway.{did_text}"
    )


def _series(con: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """Proven offences per person by month relative to the anchor month, over the people observed then."""
    end = as_of + timedelta(days=1)
    return con.execute(
        """with m as (select person_key, grp, date_trunc('month', anchor) as month0 from perf_measured),
        offsets as (select * from range(-$span, $span + 1) t(k)),
        observed as (
            select m.grp, o.k, count(*) as people from m cross join offsets o
            where cast(m.month0 + to_months(cast(o.k as integer) + 1) as date) <= $end
            group by all
        ), ev as (
            select m.grp, datediff('month', m.month0, date_trunc('month', e.offence_date)) as k, count(*) as n
            from perf_events e join m on m.person_key = e.person_key
            where e.proven and e.outcome_date < $end and e.offence_date < $end
              and e.offence_date >= cast(m.month0 - to_months($span) as date)
              and e.offence_date < cast(m.month0 + to_months($span + 1) as date)
            group by all
        )
        select o.grp as "group", cast(o.k as integer) as month, o.people,
            coalesce(ev.n, 0) as proven, coalesce(ev.n, 0) / o.people as proven_per_person
        from observed o left join ev on ev.grp = o.grp and ev.k = o.k
        order by o.grp, o.k""",
        {"span": SERIES_MONTHS, "end": end},
    ).df()


def _count_by_group(frame: pd.DataFrame, mask: pd.Series) -> dict[str, int]:
    return {str(k): int(v) for k, v in frame[mask].groupby("grp").size().items()}


def compute(
    con: duckdb.DuckDBPyConnection,
    members: pd.DataFrame,
    *,
    as_of: date,
    months: int = DEFAULT_MONTHS,
    breakdown: bool = True,
) -> Measures:
    """All before/after figures for `members` (person_key, group, anchor, optional dimensions).

    `events` must already be in `con`. Raises MeasureError for a bad window length or members table.
    """
    import pandas as pd

    check_months(months)
    _prepare_members(con, members, as_of, months)
    # The members' events, read from the area's events once: every figure below scans only these.
    con.execute(
        "create or replace temp table perf_events as select e.* from events e "
        "semi join perf_measured m on m.person_key = e.person_key"
    )
    diag = Diagnostics(as_of=as_of, months=months)
    everyone = con.execute("select person_key, grp, anchor from perf_members").df()
    diag.members = _count_by_group(everyone, everyone["person_key"].notna())
    diag.no_anchor = _count_by_group(everyone, everyone["anchor"].isna())
    anchors = pd.to_datetime(everyone["anchor"])
    diag.anchor_after_as_of = _count_by_group(everyone, anchors > pd.Timestamp(as_of))
    after = con.execute(
        "select count(*) from perf_events e where e.outcome_date > $as_of or e.offence_date > $as_of",
        {"as_of": as_of},
    ).fetchone()
    diag.events_after_as_of = int(after[0]) if after else 0

    people = _liberty(_windows(con, as_of))
    people = people.rename(columns={"group": "grp"})
    partial_people = people.groupby("person_key")["partial"].transform("any")
    firsts = people.drop_duplicates("person_key")
    diag.partial = _count_by_group(firsts, firsts["partial"] | partial_people.loc[firsts.index])
    diag.complete = _count_by_group(firsts, ~partial_people.loc[firsts.index])
    events_per_person = people.groupby("person_key")["events"].transform("sum")
    diag.no_events = _count_by_group(firsts, events_per_person.loc[firsts.index] == 0)
    locked = people.groupby("person_key")["liberty_days"].transform("min") <= 0
    diag.always_in_custody = _count_by_group(firsts, locked.loc[firsts.index])
    diag.proven_in_windows = int(people["proven"].sum())
    diag.proven_without_harm_weight = int(people["no_weight"].sum())
    diag.proven_without_unit_cost = int(people["no_cost"].sum())

    dims = con.execute(f"select person_key, {', '.join(DIMENSIONS)} from perf_measured").df()  # noqa: S608
    wide = {group: _wide(people[people["grp"] == group]) for group in (MANAGED, COMPARISON)}
    cohort: list[CohortMeasure] = []
    comparisons: list[Comparison] = []
    for basis in ("count", "liberty"):
        for measure in MEASURES:
            managed = _cohort_measure(wide[MANAGED], measure, basis)
            compared = _cohort_measure(wide[COMPARISON], measure, basis) if len(wide[COMPARISON]) else None
            if compared is not None and compared.people < 2:
                compared = None
            column = measure if basis == "count" else f"{measure}_per_365"
            did = _did(wide[MANAGED], wide[COMPARISON], column) if compared is not None else None
            cohort.append(managed)
            comparisons.append(
                Comparison(
                    measure,
                    basis,
                    managed,
                    compared,
                    did,
                    comparison_sentence(measure, managed, compared, did),
                )
            )
    breakdowns: dict[str, list[tuple[str, list[CohortMeasure]]]] = {}
    if breakdown and len(wide[MANAGED]):
        managed_wide = wide[MANAGED].merge(dims, on="person_key", how="left")
        for dimension in DIMENSIONS:
            rows = []
            for value, part in managed_wide.groupby(managed_wide[dimension].fillna("Not recorded")):
                rows.append((str(value), [_cohort_measure(part, m, "count") for m in MEASURES]))
            breakdowns[dimension] = rows
    people = people.rename(columns={"grp": "group"}).drop(columns=["no_weight", "no_cost"])
    return Measures(diag, people, cohort, comparisons, breakdowns, _series(con, as_of))


def person_panel(measures: Measures, person_key: Any) -> pd.DataFrame:
    """The person's own windows (both rows), for the case page."""
    return measures.people[measures.people["person_key"] == person_key]


EVENT_FRAME_COLUMNS = (
    "person_key",
    "event_type",
    "offence_date",
    "outcome_date",
    "disposal",
    "custody_start",
    "release_date",
    "css_weight",
    "unit_cost",
)


def load_events(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    """Table `events` from rows already resolved to a person and priced (the application database's
    events, read by the web selectors), in the shape `histories.load_histories` gives files."""
    missing = [c for c in EVENT_FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise MeasureError(f"events: missing column(s) {', '.join(missing)}")
    con.register("perf_events_in", frame[list(EVENT_FRAME_COLUMNS)])
    proven = sql_list(PROVEN)
    con.execute(
        f"""create or replace table events as select person_key, cast(event_type as varchar) as event_type,
            cast(offence_date as date) as offence_date, cast(outcome_date as date) as outcome_date,
            cast(disposal as varchar) as disposal, cast(custody_start as date) as custody_start,
            cast(release_date as date) as release_date, event_type in {proven} as proven,
            cast(css_weight as double) as css_weight, cast(unit_cost as double) as unit_cost
        from perf_events_in"""  # noqa: S608 - fixed vocabulary codes
    )
    con.unregister("perf_events_in")
