"""Writes for evaluation runs: create a run from a submitted configuration, start its background job,
and carry the job out while recording its progress, result or the reason it stopped.

The job runs in a separate process (`python -m django evaluation_run ID`) so a web request never waits
for an evaluation; the process reports each pipeline stage to the run's row, which the status page
reads. The same `evaluation_run_execute` is what the process calls, so tests can run it directly.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from django.utils import timezone
from django.utils.translation import gettext
from pydantic import ValidationError

from openiom.access.models import Scheme
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.evaluation import selectors
from openiom.evaluation.config import ConfigError, EvaluationConfig, parse_config
from openiom.evaluation.effects import CohortTooSmall
from openiom.evaluation.histories import InputError
from openiom.evaluation.jobs import (
    _LAUNCHED as _LAUNCHED,
)
from openiom.evaluation.jobs import (
    OTHER_JOBS as OTHER_JOBS,
)
from openiom.evaluation.jobs import (
    QUEUED as QUEUED,
)
from openiom.evaluation.jobs import (
    RUNNING as RUNNING,
)
from openiom.evaluation.jobs import (
    UNFINISHED as UNFINISHED,
)
from openiom.evaluation.jobs import (
    RunCancelled as RunCancelled,
)
from openiom.evaluation.jobs import (
    _end as _end,
)
from openiom.evaluation.jobs import (
    _is_job_of as _is_job_of,
)
from openiom.evaluation.jobs import (
    _other_job_execute as _other_job_execute,
)
from openiom.evaluation.jobs import (
    _process_alive as _process_alive,
)
from openiom.evaluation.jobs import (
    _update as _update,
)
from openiom.evaluation.jobs import (
    _update_while as _update_while,
)
from openiom.evaluation.jobs import (
    evaluation_run_cancel as evaluation_run_cancel,
)
from openiom.evaluation.jobs import (
    evaluation_run_check_worker as evaluation_run_check_worker,
)
from openiom.evaluation.jobs import (
    evaluation_run_launch as evaluation_run_launch,
)
from openiom.evaluation.jobs import (
    may_cancel as may_cancel,
)
from openiom.evaluation.jobs import without_paths
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
    problem = selectors.case_outcomes_problem(user, config.case_outcomes)
    if problem:
        shutil.rmtree(out_dir, ignore_errors=True)
        raise ConfigError(problem)
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


def evaluation_run_create_from_cases(
    *,
    user: User,
    scheme: Scheme,
    streams: list[str],
    adopted_from: date,
    adopted_to: date,
    outcomes: list[str],
    data_end: date | None = None,
    title: str = "",
) -> EvaluationRun:
    """Record a queued run that evaluates the scheme's adopted cases against the never-adopted people
    of the user's scope. The form has checked the choices (openiom.evaluation.forms); nothing is read
    from or written to a server file until the job runs."""
    from openiom.evaluation import from_cases

    title = title.strip() or gettext("%(scheme)s: cases adopted %(start)s to %(end)s") % {
        "scheme": scheme.name,
        "start": f"{adopted_from:%d/%m/%Y}",
        "end": f"{adopted_to:%d/%m/%Y}",
    }
    outcomes = ["proven_reoffending", *(o for o in outcomes if o != "proven_reoffending")]
    record = from_cases.choices_record(
        scheme=scheme,
        streams=streams,
        adopted_from=adopted_from,
        adopted_to=adopted_to,
        outcomes=outcomes,
        data_end=data_end,
        title=title[:200],
    )
    run = EvaluationRun.objects.create(
        created_by=user,
        scheme=scheme,
        title=title[:200],
        config_text=yaml.safe_dump(record, sort_keys=False),
        config=record,
        output_dir=str(selectors.output_root() / uuid.uuid4().hex),
        step_count=len(STEPS),
    )
    audit_record(
        user=user,
        action=AuditAction.EVALUATION_RUN,
        object_type="evaluation_run",
        object_id=run.pk,
        detail={"title": run.title, "from_cases": record["cases"]},
    )
    return run


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
        from openiom.evaluation import from_cases

        if from_cases.is_from_cases(run.config):
            progress(STAGES[0])
            config = from_cases.write_inputs(run)
        else:
            config = EvaluationConfig.model_validate(run.config)
        records = (
            selectors.case_outcome_records(run.created_by, config.case_outcomes, run.scheme)
            if config.case_outcomes
            else None
        )
        evaluation = run_evaluation(config, progress, case_records=records)
        progress(REPORT_STAGE)
        from openiom.evaluation.report import write_report

        write_report(
            Path(run.output_dir), evaluation.results, evaluation.balance_before, evaluation.balance_after
        )
    except RunCancelled:
        pass
    except CohortTooSmall as exc:
        _end(run_id, RUNNING, status=RunStatus.REFUSED, message=without_paths(f"Evaluation refused: {exc}"))
    except (
        ConfigError,
        InputError,
        MatchingError,
        ReferenceDataError,
        ValidationError,
        OSError,
        selectors.CaseOutcomesRefused,
    ) as exc:
        _end(run_id, RUNNING, status=RunStatus.FAILED, message=without_paths(str(exc)))
    except Exception as exc:
        logger.exception("evaluation run %s failed", run_id)
        _end(
            run_id,
            RUNNING,
            status=RunStatus.FAILED,
            message=without_paths(
                f"The evaluation stopped with an unexpected error ({type(exc).__name__}: {exc})."
            ),
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
