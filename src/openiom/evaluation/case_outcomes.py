"""Outcomes drawn from the application's case records, e.g. "accommodation need met within 6 months".

Each kind is defined here once: its wording, who has a value at all (the population), and which dated
referral event counts. The application side (`evaluation.selectors.case_outcome_records`, Django) reads
the case records into a plain table of `source_system, source_id, outcome, event_date`; this module,
free of Django like the rest of the pipeline, turns that table into one value per matched person:

- no row for the person: no value (they have no case in the user's scope, or no recorded need on that
  pathway); they leave that estimate only, as an empty cell of a supplied outcome does;
- 1 if one of their events is dated on or after their index date and before `within_months` months
  after it (the same half-open window as the reoffending year);
- 0 otherwise (the need is recorded but nothing counted happened in the window).

SQL text is assembled only from names chosen in this code (hence the S608 suppression); the months and
outcome names are bound as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openiom import vocabulary as v

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from openiom.evaluation.outcomes import OutcomeSpec

# Imported by the configuration (config.py), which the web pages load: nothing heavy at import time.

RECORD_COLUMNS = ("source_system", "source_id", "outcome", "event_date")
# The longest window: the follow-up year plus its waiting period, which every matched person has had.
MAX_WINDOW_MONTHS = 18

# The report is in English only (docs/evaluation.md), so these are plain words, not translations.
PATHWAY_WORDS = {
    v.ACCOMMODATION: "accommodation",
    v.ETE: "education, training and employment",
    v.HEALTH: "health",
    v.DRUGS_ALCOHOL: "drugs and alcohol",
    v.FINANCE: "finance, benefit and debt",
    v.FAMILIES: "children and families",
    v.ATTITUDES: "attitudes, thinking and behaviour",
    v.DOMESTIC_ABUSE: "domestic abuse",
}


@dataclass(frozen=True)
class CaseOutcomeKind:
    key: str
    label: str  # with {pathway} and {months}
    phrase: str  # completes "For 100 typical people in the treatment group, 40 ..."
    population: str  # who has a value at all
    event: str  # what counts, in words
    referral_date: str  # the ServiceReferral date field that dates the event
    need_met_only: bool  # only referrals whose recorded outcome says the need was met


CASE_OUTCOME_KINDS: dict[str, CaseOutcomeKind] = {
    k.key: k
    for k in (
        CaseOutcomeKind(
            "need_met",
            "{Pathway} need met within {months} months",
            "had their {pathway} need met within {months} months",
            "people whose case records a need for {pathway}",
            "a referral for that need closed with the need recorded as met (treatment or support "
            "completed, or engaged and the need met), dated by its closing date",
            "closed_on",
            True,
        ),
        CaseOutcomeKind(
            "treatment_started",
            "Treatment or support started for {pathway} within {months} months",
            "started treatment or support for {pathway} within {months} months",
            "people whose case records a need for {pathway}",
            "a referral for that need started with the service, dated by its start date",
            "started_on",
            False,
        ),
    )
}


def kind_words(kind: str, pathway: str, months: int) -> dict[str, str]:
    """The kind's label, phrase, population and event with the pathway and window filled in."""
    spec = CASE_OUTCOME_KINDS[kind]
    words = PATHWAY_WORDS[pathway]
    fill = {"pathway": words, "Pathway": words[:1].upper() + words[1:], "months": str(months)}
    return {name: getattr(spec, name).format(**fill) for name in ("label", "phrase", "population", "event")}


def case_specs(case_outcomes: list[Any]) -> dict[str, OutcomeSpec]:
    """OutcomeSpecs for the configuration's case_outcomes: every kind is a yes/no outcome, a rate."""
    from openiom.evaluation.outcomes import OutcomeSpec

    specs = {}
    for o in case_outcomes:
        words = kind_words(o.kind, o.pathway, o.within_months)
        specs[o.name] = OutcomeSpec(o.name, o.label or words["label"], "rate", "people", words["phrase"])
    return specs


def case_outcome_values(
    con: duckdb.DuckDBPyConnection, cohort_table: str, records: pd.DataFrame, case_outcomes: list[Any]
) -> pd.DataFrame:
    """person_key plus one 1/0/empty column per case outcome for the people of `cohort_table`
    (person_key, index_date), matched to the records by source_system and source_id."""
    import pandas as pd

    from openiom.evaluation.histories import InputError

    missing = [c for c in RECORD_COLUMNS if c not in records.columns]
    if missing:
        raise InputError(f"case records: missing column(s) {', '.join(missing)}")
    table = records.loc[:, list(RECORD_COLUMNS)].copy()
    table["event_date"] = pd.to_datetime(table["event_date"]).dt.date
    con.register("case_records_view", table)
    try:
        out = con.execute(f"select person_key from {cohort_table} order by person_key").df()  # noqa: S608
        for o in case_outcomes:
            values = con.execute(
                f"""select c.person_key,
                    max(case when r.event_date >= c.index_date
                              and r.event_date < cast(c.index_date + to_months(?) as date)
                         then 1 else 0 end) as value
                from {cohort_table} c
                join people p on p.person_key = c.person_key
                join case_records_view r
                  on r.source_system = p.source_system and r.source_id = p.source_id and r.outcome = ?
                group by c.person_key""",  # noqa: S608
                [int(o.within_months), o.name],
            ).df()
            out = out.merge(values.rename(columns={"value": o.name}), on="person_key", how="left")
            out[o.name] = out[o.name].astype(float)
    finally:
        con.unregister("case_records_view")
    return out
