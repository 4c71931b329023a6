"""The background job of an evaluation started on the web page: `python -m django evaluation_run ID`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openiom.evaluation.models import EvaluationRun, RunStatus
from openiom.evaluation.services import evaluation_run_execute


class Command(BaseCommand):
    help = "Carry out a queued evaluation run, recording its progress and result on the run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("run_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = evaluation_run_execute(options["run_id"])
        except EvaluationRun.DoesNotExist as exc:
            raise CommandError(f"there is no evaluation run {options['run_id']}") from exc
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"evaluation run {run.pk} {run.status}: {run.message}")
        self.stdout.write(f"evaluation run {run.pk} finished: {run.output_dir}")
