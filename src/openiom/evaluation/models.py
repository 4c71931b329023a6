"""Evaluation runs started from the web page: who asked, what they asked, how far the job has got, and
what it found. The statistics themselves never touch the database (openiom.evaluation.pipeline)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiom.access.models import Scheme


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.REFUSED, RunStatus.CANCELLED)


class EvaluationRun(models.Model):
    """One `iom evaluate` run requested through the web page and carried out by a background job."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluation_runs"
    )
    # Analysts of the same scheme may see each other's runs; None: only the person who started it.
    scheme = models.ForeignKey(
        Scheme, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluation_runs"
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    config_text = models.TextField(_("configuration as submitted"))
    # The validated configuration with absolute data paths: what the job runs.
    config = models.JSONField(_("validated configuration"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("per cent done"), default=0)
    step = models.PositiveSmallIntegerField(default=0)
    step_count = models.PositiveSmallIntegerField(default=0)
    step_text = models.CharField(max_length=100, blank=True)
    message = models.TextField(_("why it failed, was refused or was cancelled"), blank=True)
    output_dir = models.CharField(max_length=500)
    summary = models.JSONField(_("headline results"), default=dict, blank=True)
    worker_pid = models.IntegerField(null=True, blank=True)

    class Meta:
        db_table = "evaluation_run"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "created_at"], name="evaluation_run_user_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
