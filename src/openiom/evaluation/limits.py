"""How many background jobs may wait or run at once, per user and overall, so one analyst cannot fill
the machine. Configurable: settings JOBS_PER_USER and JOBS_OVERALL (or OPENIOM_JOBS_PER_USER and
OPENIOM_JOBS_OVERALL in the environment)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from django.conf import settings

from openiom.evaluation.models import EvaluationRun, RunStatus

if TYPE_CHECKING:
    from openiom.accounts.models import User

DEFAULT_PER_USER = 2
DEFAULT_OVERALL = 4


class JobLimitReached(ValueError):
    """Too many jobs are already waiting or running; the message says whose and how many."""


def _limit(name: str, default: int) -> int:
    value = getattr(settings, name, None) or os.environ.get(f"OPENIOM_{name}") or default
    return max(1, int(value))


def job_limits_check(user: User) -> None:
    """Raise JobLimitReached if starting one more job would pass either limit. Jobs whose process has
    died are marked failed first, so they do not hold a place for ever."""
    from openiom.evaluation.jobs import evaluation_run_check_worker

    unfinished = list(EvaluationRun.objects.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING)))
    alive = [r for r in unfinished if not evaluation_run_check_worker(r).finished]
    per_user, overall = _limit("JOBS_PER_USER", DEFAULT_PER_USER), _limit("JOBS_OVERALL", DEFAULT_OVERALL)
    mine = sum(1 for r in alive if r.created_by_id == user.pk)
    if mine >= per_user:
        raise JobLimitReached(
            f"You already have {mine} analyses or reports waiting or running (the limit is {per_user}); "
            "wait for one to finish or cancel one"
        )
    if len(alive) >= overall:
        raise JobLimitReached(
            f"{len(alive)} analyses or reports are waiting or running on the server (the limit is "
            f"{overall}); try again in a few minutes"
        )
