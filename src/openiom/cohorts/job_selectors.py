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
