"""The one background-job mechanism: a queued run row, a separate process per job
(`python -m django evaluation_run ID`), progress written to the row step by step, cancellation, the
dead-job check and the limits (limits.py). Evaluations, performance reports and cohort analyses all
use it (docs/decisions/0005-background-jobs.md).

Kept apart from services.py, which holds the evaluation pipeline's own job: a web request that
starts, follows or cancels any job imports this module only, never the statistics libraries.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

import openiom
from openiom.access.policy import Scope, scope_for
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.evaluation import selectors
from openiom.evaluation.models import EvaluationRun, RunStatus

if TYPE_CHECKING:
    from openiom.accounts.models import User

logger = logging.getLogger(__name__)


def _update(run_id: int, **fields: Any) -> None:
    EvaluationRun.objects.filter(pk=run_id).update(**fields)


QUEUED = (RunStatus.QUEUED,)
UNFINISHED = (RunStatus.QUEUED, RunStatus.RUNNING)
RUNNING = (RunStatus.RUNNING,)


def _update_while(run_id: int, still: tuple[str, ...], **fields: Any) -> bool:
    """Update a run only while its status is one of `still`, in one UPDATE, so there is no race
    between the job, a cancellation and a dead-job check. Returns whether it was updated."""
    return bool(EvaluationRun.objects.filter(pk=run_id, status__in=still).update(**fields))


def _end(run_id: int, still: tuple[str, ...], **fields: Any) -> bool:
    """Record how a run ended: whatever ended it first (the job finishing, a cancellation, a dead job
    noticed) stands."""
    return _update_while(run_id, still, finished_at=timezone.now(), **fields)


# A server path inside a message: a slash, then at least one folder. DuckDB and the operating system put
# the full path (sometimes cut short) in their messages.
_SERVER_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\](?:[^\s'\"(),;:/\\]+[/\\])+[^\s'\"(),;:]*")


def without_paths(message: str) -> str:
    """The message with every server path replaced by the file's own name (or an ellipsis when it
    names no data file), so a failed run's message tells the analyst which file, never where it is
    on the server or what else is there."""

    def name(match: re.Match[str]) -> str:
        text = match.group().rstrip(".")
        base = re.split(r"[/\\]", text)[-1]
        return base if base.lower().endswith(selectors.DATA_SUFFIXES) else "…"

    return _SERVER_PATH.sub(name, message)


def step_list(
    run: EvaluationRun, names: tuple[str, ...], labels: Mapping[str, object]
) -> list[dict[str, Any]]:
    """A job's steps for its progress page (templates/includes/job_progress.html), each done,
    current or waiting, named by its translated label."""
    return [
        {
            "number": number,
            "label": labels.get(text, text),
            "state": "done"
            if run.status == RunStatus.SUCCEEDED or number < run.step
            else "current"
            if number == run.step
            else "waiting",
        }
        for number, text in enumerate(names, start=1)
    ]


class RunCancelled(Exception):
    """The run was cancelled while the job was between steps."""


# Other background jobs carried out on the same run rows by the same worker process, named by the
# "job" key of the run's configuration: job -> (module, function). The function takes the run and a
# progress(step) callback (raising RunCancelled once the run is cancelled), its module has the job's
# STEPS, and it returns the summary to record.
OTHER_JOBS = {
    "performance_report": ("openiom.performance.services", "report_job"),
    "cohort_analysis": ("openiom.cohorts.jobs", "analysis_job"),
}


def _other_job_execute(run: EvaluationRun, module_name: str, function: str) -> EvaluationRun:
    import importlib

    module = importlib.import_module(module_name)
    steps: tuple[str, ...] = module.STEPS
    total = len(steps)
    if not _update_while(
        run.pk,
        QUEUED,
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        step=0,
        step_count=total,
        progress=0,
    ):
        run.refresh_from_db()
        return run

    def progress(stage: str) -> None:
        number = steps.index(stage) + 1
        if not _update_while(
            run.pk, RUNNING, step=number, step_text=stage, progress=round(100 * (number - 1) / total)
        ):
            raise RunCancelled

    try:
        summary = getattr(module, function)(run, progress)
    except RunCancelled:
        pass
    except (ValueError, OSError) as exc:
        _end(run.pk, RUNNING, status=RunStatus.FAILED, message=without_paths(str(exc)))
    except Exception as exc:
        logger.exception("background job %s failed", run.pk)
        _end(
            run.pk,
            RUNNING,
            status=RunStatus.FAILED,
            message=without_paths(f"The job stopped with an unexpected error ({type(exc).__name__}: {exc})."),
        )
    else:
        _end(run.pk, RUNNING, status=RunStatus.SUCCEEDED, progress=100, step=total, summary=summary)
    run.refresh_from_db()
    return run


def _worker_environment() -> dict[str, str]:
    """The environment of the job process: this one's, pointed at the database this process uses
    (under tests that is the test database, not the one DATABASE_URL names)."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = os.environ.get("DJANGO_SETTINGS_MODULE", "openiom.config.settings")
    source = str(Path(openiom.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH", "")) if p)
    db = connection.settings_dict
    name = str(db["NAME"])
    if connection.vendor == "sqlite":
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("an in-memory SQLite database cannot be shared with a background process")
        env["DATABASE_URL"] = f"sqlite:///{name}"
    elif "DATABASE_URL" in env:
        parts = urlsplit(env["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    return env


def evaluation_run_launch(run: EvaluationRun) -> None:
    """Start the run's job without waiting for it.

    `EVALUATION_RUNNER = "inline"` carries it out in this request instead: only for tests on an
    in-memory SQLite database, which another process cannot open.
    """
    if getattr(settings, "EVALUATION_RUNNER", "process") == "inline":
        # Named, as the OTHER_JOBS are: the evaluation's own job brings the statistics libraries.
        import importlib

        importlib.import_module("openiom.evaluation.services").evaluation_run_execute(run.pk)
        return
    out_dir = Path(run.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "job.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "evaluation_run", str(run.pk)],
            env=_worker_environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _LAUNCHED.append(process)
    _update(run.pk, worker_pid=process.pid)
    run.worker_pid = process.pid
    _reap()


_LAUNCHED: list[subprocess.Popen[bytes]] = []


def _reap() -> None:
    """Collect jobs of this process that have ended, so they do not linger as zombies."""
    for process in list(_LAUNCHED):
        if process.poll() is not None:
            _LAUNCHED.remove(process)


def _process_alive(pid: int) -> bool:
    _reap()
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    # The state follows the parenthesised command name; Z is a zombie (ended, not yet collected).
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def evaluation_run_check_worker(run: EvaluationRun) -> EvaluationRun:
    """Mark a run failed if its job process has ended without finishing it (killed, out of memory)."""
    if run.finished or run.worker_pid is None or _process_alive(run.worker_pid):
        return run
    _end(
        run.pk,
        UNFINISHED,
        status=RunStatus.FAILED,
        message=(
            "The background job stopped before the evaluation finished (for example it ran out of "
            "memory or the server restarted). Start the evaluation again."
        ),
    )
    run.refresh_from_db()
    return run


def _is_job_of(pid: int, run_id: int) -> bool:
    """Whether `pid` is, on this machine, the job process of that run. A job started on another host
    has a pid that means something else here, so it is never signalled; it stops at its next step."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return _process_alive(pid) and b"evaluation_run" in command and str(run_id).encode() in command


def may_cancel(user: User, run: EvaluationRun) -> bool:
    """The person who started a run, or a user whose evaluation scope is everything."""
    return bool(run.created_by_id == user.pk or scope_for(user, selectors.ACTION) == Scope.ALL)


def evaluation_run_cancel(*, user: User, run: EvaluationRun) -> EvaluationRun:
    """Stop a queued or running run: it is marked cancelled at once and its job process is ended."""
    if not may_cancel(user, run):
        raise PermissionDenied("Only the person who started an evaluation can cancel it")
    who = user.get_full_name() or user.username
    cancelled = _end(run.pk, UNFINISHED, status=RunStatus.CANCELLED, message=f"Cancelled by {who}.")
    run.refresh_from_db()
    if not cancelled:
        return run  # it had already finished: nothing to stop
    if run.worker_pid is not None and _is_job_of(run.worker_pid, run.pk):
        try:
            # The job runs in its own session (start_new_session), so its group is its pid.
            os.killpg(run.worker_pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass  # ended meanwhile: the cancellation already stands
    audit_record(
        user=user, action=AuditAction.EVALUATION_CANCEL, object_type="evaluation_run", object_id=run.pk
    )
    return run
