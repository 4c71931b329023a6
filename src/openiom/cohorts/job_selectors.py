"""Reads for the cohort analysis jobs' pages: kept apart from selectors.py, which brings the engine
(Ibis), so that showing the page or a job's progress loads no analytics library."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openiom.people.models import Person

if TYPE_CHECKING:
    from openiom.accounts.models import User


def people_counts(*, user: User) -> dict[str, int]:
    """How many people the application database holds, and how many of them `user` may analyse, so
    a page can say out loud when the scope hides people."""
    from openiom.access.selectors import people_visible_to

    return {
        "in_database": Person.objects.count(),
        "in_scope": people_visible_to(user, "cohort.analyse").count(),
    }


def cohort_job_visible(*, user: User, job_id: int) -> Any:
    """A cohort analysis job started by `user` (its results depend on their scope, so it is theirs
    alone), or None."""
    from openiom.evaluation.models import EvaluationRun

    return (
        EvaluationRun.objects.filter(pk=job_id, created_by=user, config__job="cohort_analysis")
        .select_related("created_by")
        .first()
    )


def cohort_jobs_recent(*, user: User, limit: int = 10) -> Any:
    from openiom.evaluation.models import EvaluationRun

    return EvaluationRun.objects.filter(created_by=user, config__job="cohort_analysis")[:limit]


def panel_people(*, user: User, definition_id: str) -> list[Any]:
    """The people `user` may analyse who were candidates of `definition_id` (in any saved run),
    each once, with their age on their latest run's as-of date and whether the panel adopted them
    as that definition's candidate."""
    from openiom.access.selectors import people_visible_to
    from openiom.cases.models import Decision, PanelDecision
    from openiom.cohorts.engine.fairness import PanelPerson
    from openiom.cohorts.models import Candidate

    visible = people_visible_to(user, "cohort.analyse")
    rows = (
        Candidate.objects.filter(run__definition_id=definition_id, person__in=visible)
        .order_by("person_id", "-run__as_of")
        .values_list("person_id", "person__ethnicity", "person__sex", "person__date_of_birth", "run__as_of")
    )
    adopted = set(
        PanelDecision.objects.filter(
            candidate__run__definition_id=definition_id, decision=Decision.ADOPT
        ).values_list("candidate__person_id", flat=True)
    )
    people: dict[int, PanelPerson] = {}
    for person_id, ethnicity, sex, born, as_of in rows:
        if person_id in people:
            continue
        age = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
        people[person_id] = PanelPerson(ethnicity or "", sex or "", age, person_id in adopted)
    return list(people.values())
