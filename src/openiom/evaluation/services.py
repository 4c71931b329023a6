"""Writes for evaluation runs: create a run from a submitted configuration, start its background job,
and carry the job out while recording its progress, result or the reason it stopped.

The job runs in a separate process (`python -m django evaluation_run ID`) so a web request never waits
for an evaluation; the process reports each pipeline stage to the run's row, which the status page
reads. The same `evaluation_run_execute` is what the process calls, so tests can run it directly.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from pydantic import ValidationError

import openiom
from openiom.access.models import Scheme
from openiom.access.policy import Scope, scope_for
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.evaluation import selectors
from openiom.evaluation.config import ConfigError, EvaluationConfig, parse_config
from openiom.evaluation.effects import CohortTooSmall
from openiom.evaluation.histories import InputError
from openiom.evaluation.matching import MatchingError
from openiom.evaluation.models import EvaluationRun, RunStatus
from openiom.evaluation.pipeline import STAGES, run_evaluation
from openiom.evaluation.summary import summarise
from openiom.reference.datafiles import ReferenceDataError

if TYPE_CHECKING:
    from openiom.accounts.models import User

logger = logging.getLogger(__name__)

REPORT_STAGE = "writing the report"
STEPS = (*STAGES, REPORT_STAGE)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class UploadError(ValueError):
    """The uploaded treated-people file cannot be used; the message says why."""


def _save_upload(name: str, chunks: Iterable[bytes], folder: Path) -> Path:
    lowered = name.lower()
    suffix = next((s for s in (".csv.gz", ".csv", ".parquet") if lowered.endswith(s)), None)
    if suffix is None:
        raise UploadError("The treated people file must be a .csv, .csv.gz or .parquet file")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"treated{suffix}"
    size = 0
    with path.open("wb") as handle:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise UploadError("The treated people file must be smaller than 50 MB")
            handle.write(chunk)
    if size == 0:
        raise UploadError("The treated people file is empty")
    return path


def evaluation_run_create(
    *,
    user: User,
    config_text: str,
    treated_name: str | None = None,
    treated_chunks: Iterable[bytes] = (),
    scheme: Scheme | None = None,
) -> EvaluationRun:
    """Validate the configuration (and the uploaded treated file, if any) and record a queued run.

    Raises ConfigError naming each bad key, or UploadError; nothing is kept on disk or in the database
    when either is raised.
    """
    try:
        raw = yaml.safe_load(config_text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"The configuration is not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise ConfigError("The configuration must be a mapping of keys to values (for example title: ...)")
    key = uuid.uuid4().hex
    out_dir = selectors.output_root() / key
    uploaded = None
    try:
        if treated_name:
            uploaded = _save_upload(treated_name, treated_chunks, out_dir / "inputs")
            data = raw.setdefault("data", {})
            if not isinstance(data, dict):
                raise ConfigError("data: must be a mapping of file names (people, events, treated, ...)")
            data["treated"] = str(uploaded)
        root = selectors.data_dir()
        config = parse_config(
            raw, root, confined=True, also_allowed=frozenset({uploaded}) if uploaded else frozenset()
        )
    except (ConfigError, UploadError):
        shutil.rmtree(out_dir, ignore_errors=True)
        raise
    run = EvaluationRun.objects.create(
        created_by=user,
        scheme=scheme,
        title=config.title[:200],
        config_text=config_text,
        config=config.model_dump(mode="json"),
        output_dir=str(out_dir),
        step_count=len(STEPS),
    )
    audit_record(
        user=user,
        action=AuditAction.EVALUATION_RUN,
        object_type="evaluation_run",
        object_id=run.pk,
        detail={"title": run.title, "treated_uploaded": uploaded is not None},
    )
    return run


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


def evaluation_run_execute(run_id: int) -> EvaluationRun:
    """Carry out a queued run: the pipeline, then the report files, recording each step on the row.

    A refusal (too few people) or bad input ends the run with the message naming the problem; an
    unexpected error ends it as failed and is logged with its traceback.
    """
    run = EvaluationRun.objects.get(pk=run_id)
    job = OTHER_JOBS.get(str(run.config.get("job", "")))
    if job is not None:
        return _other_job_execute(run, *job)
    total = len(STEPS)
    started = _update_while(
        run_id,
        QUEUED,
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        step=0,
        step_count=total,
        step_text="",
        progress=0,
    )
    if not started:  # not queued any more: cancelled before the job began, or already carried out
        run.refresh_from_db()
        return run

    def progress(stage: str) -> None:
        number = STEPS.index(stage) + 1
        # Only a running run moves on: a cancelled one stops at the next step.
        if not _update_while(
            run_id, RUNNING, step=number, step_text=stage, progress=round(100 * (number - 1) / total)
        ):
            raise RunCancelled

    try:
        config = EvaluationConfig.model_validate(run.config)
        evaluation = run_evaluation(config, progress)
        progress(REPORT_STAGE)
        from openiom.evaluation.report import write_report

        write_report(
            Path(run.output_dir), evaluation.results, evaluation.balance_before, evaluation.balance_after
        )
    except RunCancelled:
        pass
    except CohortTooSmall as exc:
        _end(run_id, RUNNING, status=RunStatus.REFUSED, message=f"Evaluation refused: {exc}")
    except (ConfigError, InputError, MatchingError, ReferenceDataError, ValidationError, OSError) as exc:
        _end(run_id, RUNNING, status=RunStatus.FAILED, message=str(exc))
    except Exception as exc:
        logger.exception("evaluation run %s failed", run_id)
        _end(
            run_id,
            RUNNING,
            status=RunStatus.FAILED,
            message=f"The evaluation stopped with an unexpected error ({type(exc).__name__}: {exc}).",
        )
    else:
        _end(
            run_id,
            RUNNING,
            status=RunStatus.SUCCEEDED,
            progress=100,
            step=total,
            summary=summarise(evaluation.results),
        )
    run.refresh_from_db()
    return run


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
        _end(run.pk, RUNNING, status=RunStatus.FAILED, message=str(exc))
    except Exception as exc:
        logger.exception("background job %s failed", run.pk)
        _end(
            run.pk,
            RUNNING,
            status=RunStatus.FAILED,
            message=f"The job stopped with an unexpected error ({type(exc).__name__}: {exc}).",
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
        evaluation_run_execute(run.pk)
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
