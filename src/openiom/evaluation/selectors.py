"""Reads for the evaluation pages: which runs a user may see, where data and reports live."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet

from openiom.access.models import Scheme
from openiom.access.policy import Scope, scope_for
from openiom.access.selectors import people_visible_to, user_schemes
from openiom.cases.models import Case, CaseStatus
from openiom.evaluation.models import EvaluationRun
from openiom.offending.models import OffendingEvent
from openiom.people.models import Person
from openiom.vocabulary import PROVEN

if TYPE_CHECKING:
    from openiom.accounts.models import User

ACTION = "evaluation.run"
REPORT_FILES = {"html": "report.html", "pdf": "report.pdf", "json": "results.json"}
DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet")
EXAMPLE_CONFIG = Path(settings.PROJECT_DIR) / "docs" / "examples" / "evaluation.yaml"


def data_dir() -> Path:
    """The server folder an analyst's configuration may read from; relative paths are resolved in it."""
    configured = getattr(settings, "EVALUATION_DATA_DIR", None) or os.environ.get(
        "OPENIOM_EVALUATION_DATA_DIR"
    )
    return Path(configured or Path(settings.DATA_DIR) / "evaluation-data").resolve()


def output_root() -> Path:
    configured = getattr(settings, "EVALUATION_OUTPUT_DIR", None) or os.environ.get(
        "OPENIOM_EVALUATION_OUTPUT_DIR"
    )
    return Path(configured or Path(settings.DATA_DIR) / "evaluations").resolve()


def data_files(limit: int = 50) -> list[dict[str, Any]]:
    """The data files an analyst can name in a configuration (name relative to the data folder, size)."""
    root = data_dir()
    if not root.is_dir():
        return []
    found = sorted(p for p in root.rglob("*") if p.is_file() and p.name.lower().endswith(DATA_SUFFIXES))
    return [{"name": p.relative_to(root).as_posix(), "bytes": p.stat().st_size} for p in found[:limit]]


def example_config_text() -> str:
    try:
        return EXAMPLE_CONFIG.read_text(encoding="utf-8")
    except OSError:
        return ""


def runs_visible_to(user: User) -> QuerySet[EvaluationRun]:
    """Runs the user started, plus runs of the schemes they belong to (all runs for scope "all")."""
    scope = scope_for(user, ACTION)
    runs = EvaluationRun.objects.select_related("created_by", "scheme")
    if scope is None:
        return runs.none()
    if scope == Scope.ALL:
        return runs.all()
    return runs.filter(Q(created_by=user) | Q(scheme__in=user_schemes(user)))


def run_visible(user: User, run_id: int) -> EvaluationRun | None:
    """The run if it exists and the user may see it; None either way otherwise (both answer 404)."""
    return runs_visible_to(user).filter(pk=run_id).first()


def report_file(run: EvaluationRun, kind: str) -> Path | None:
    """The finished report file of that kind, or None while it does not exist."""
    name = REPORT_FILES.get(kind)
    if name is None or not run.output_dir:
        return None
    path = Path(run.output_dir) / name
    return path if path.is_file() else None


def runs_recent(user: User, limit: int = 50) -> QuerySet[EvaluationRun]:
    """The runs the evaluation page lists, newest first as runs_visible_to orders them."""
    return runs_visible_to(user)[:limit]


def schemes_of(user: User) -> list[Scheme]:
    """The schemes whose analysts a new evaluation may be shared with, by name."""
    return list(user_schemes(user).order_by("name"))


def schemes_among(schemes: list[Scheme]) -> QuerySet[Scheme]:
    """The same schemes as a queryset, by name, for a form's choice field."""
    return Scheme.objects.filter(pk__in=[s.pk for s in schemes]).order_by("name")


class CaseOutcomesRefused(ValueError):
    """A case outcome the user may not draw from the case records; the message names the outcome."""


def case_outcomes_problem(user: User, case_outcomes: list[Any]) -> str | None:
    """Why the user may not use these case outcomes, or None. Health and substance-misuse referrals are
    special-category data: only a role entitled to them may evaluate an outcome drawn from them, as the
    performance page shows its substance-misuse indicators only to such roles."""
    from openiom.vocabulary import RESTRICTED_PATHWAYS

    if scope_for(user, "restricted.health") is not None:
        return None
    restricted = [o.name for o in case_outcomes if o.pathway in RESTRICTED_PATHWAYS]
    if not restricted:
        return None
    return (
        f"case_outcomes: {', '.join(restricted)} would read health or substance-misuse records, which your "
        f"role may not see; choose another pathway"
    )


def case_outcome_records(user: User, case_outcomes: list[Any], scheme: Scheme | None = None) -> Any:
    """The case records behind the configuration's case_outcomes, as a DataFrame of source_system,
    source_id, outcome (its name) and event_date, for the cases the user may evaluate (of `scheme`
    only, when given).

    Each person in an outcome's population has one row with an empty event_date, plus one row per
    counted event (evaluation/case_outcomes.py defines the kinds); people outside it have no row.
    Raises CaseOutcomesRefused for restricted pathways the user may not see."""
    import pandas as pd

    from openiom.cases.models import Need as NeedRecord
    from openiom.cases.models import NeedLevel, ServiceReferral
    from openiom.cases.rules import MEETS_NEED
    from openiom.cases.selectors import cases_visible_to
    from openiom.evaluation.case_outcomes import CASE_OUTCOME_KINDS, RECORD_COLUMNS

    problem = case_outcomes_problem(user, case_outcomes)
    if problem:
        raise CaseOutcomesRefused(problem)
    cases = cases_visible_to(user, ACTION)
    if scheme is not None:
        cases = cases.filter(scheme=scheme)
    case_ids = cases.values("pk")
    rows: list[tuple[Any, ...]] = []
    for outcome in case_outcomes:
        kind = CASE_OUTCOME_KINDS[outcome.kind]
        needs = NeedRecord.objects.filter(case__in=case_ids, pathway=outcome.pathway).exclude(
            level=NeedLevel.NONE
        )
        people = set(needs.values_list("case__person__source_system", "case__person__source_id"))
        rows.extend((system, source_id, outcome.name, None) for system, source_id in sorted(people))
        referrals = ServiceReferral.objects.filter(
            case__in=case_ids, pathway=outcome.pathway, **{f"{kind.referral_date}__isnull": False}
        )
        if kind.need_met_only:
            referrals = referrals.filter(outcome__in=sorted(MEETS_NEED))
        dated = referrals.values_list(
            "case__person__source_system", "case__person__source_id", kind.referral_date
        )
        rows.extend(
            (system, source_id, outcome.name, on)
            for system, source_id, on in sorted(dated)
            if (system, source_id) in people
        )
    return pd.DataFrame(rows, columns=list(RECORD_COLUMNS))


# Evaluation from the scheme's own records: the treated group is the scheme's adopted cases, the
# comparison pool the people of the user's scope who were never adopted by any scheme.
ADOPTED_STATUSES = (CaseStatus.ACTIVE, CaseStatus.EXITED)


def cases_adopted(
    user: User, *, scheme: Scheme, streams: list[str], adopted_from: date, adopted_to: date
) -> QuerySet[Case]:
    """The scheme's adopted cases (managed now or since exited) of those streams, adopted in the period,
    whose person the user may see for evaluation."""
    return Case.objects.filter(
        scheme=scheme,
        status__in=ADOPTED_STATUSES,
        stream__in=streams,
        start_date__gte=adopted_from,
        start_date__lte=adopted_to,
        person__in=people_visible_to(user, ACTION),
    )


def adoption_dates(cases: QuerySet[Case]) -> list[date]:
    return [d for d in cases.values_list("start_date", flat=True) if d is not None]


def comparison_people(user: User) -> QuerySet[Person]:
    """People of the user's scope never adopted by any scheme (an adopted person is no comparison)."""
    adopted = Case.objects.filter(status__in=ADOPTED_STATUSES).values("person_id")
    return people_visible_to(user, ACTION).exclude(pk__in=adopted)


def comparison_with_index_event(user: User, start: date, end: date) -> int:
    """How many comparison people were sanctioned (convicted, cautioned) or released in the period:
    the people who can have an index event there and so join the pool."""
    events = OffendingEvent.objects.filter(person__in=comparison_people(user)).filter(
        Q(event_type__in=PROVEN, outcome_date__range=(start, end)) | Q(release_date__range=(start, end))
    )
    return events.values("person_id").distinct().count()


def latest_outcome_date(user: User) -> date | None:
    """The latest outcome recorded for anyone the user may see: how far the records reach."""
    latest: date | None = (
        OffendingEvent.objects.filter(person__in=people_visible_to(user, ACTION))
        .order_by("-outcome_date")
        .values_list("outcome_date", flat=True)
        .first()
    )
    return latest


def evaluation_population(user: User, treated: QuerySet[Case]) -> QuerySet[Person]:
    """Everyone an evaluation from cases reads: the treated people and the comparison people."""
    return people_visible_to(user, ACTION).filter(
        Q(pk__in=treated.values("person_id")) | Q(pk__in=comparison_people(user).values("pk"))
    )


def population_rows(people: QuerySet[Person]) -> Iterator[tuple[int, date, str]]:
    """(person id, date of birth, sex): nothing that names the person."""
    yield from people.order_by("pk").values_list("pk", "date_of_birth", "sex").iterator(chunk_size=5000)


EVENT_FIELDS = (
    "pk",
    "person_id",
    "event_type",
    "offence_date",
    "outcome_date",
    "offence_code",
    "disposal",
    "custody_start",
    "release_date",
)


def population_events(people: QuerySet[Person]) -> Iterator[tuple[Any, ...]]:
    """The offending events of those people, as EVENT_FIELDS."""
    yield from (
        OffendingEvent.objects.filter(person__in=people)
        .order_by("pk")
        .values_list(*EVENT_FIELDS)
        .iterator(chunk_size=5000)
    )
