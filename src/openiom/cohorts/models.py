"""Cohort runs and the candidates each run selected, with the reasons why (for the selection panel)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiom.people.models import Person


class CohortRun(models.Model):
    """One evaluation of one definition version on one data snapshot at one as-of date."""

    run_id = models.CharField(_("run ID"), max_length=32, unique=True)
    definition_id = models.CharField(_("definition"), max_length=63)
    definition_version = models.CharField(_("definition version"), max_length=20)
    definition_title = models.CharField(_("definition title"), max_length=200)
    definition_source = models.TextField(_("definition source"))
    definition_sha256 = models.CharField(max_length=64)
    as_of = models.DateField(_("as-of date"))
    engine = models.CharField(_("engine"), max_length=20)
    snapshot_id = models.CharField(_("data snapshot"), max_length=16)
    snapshot = models.JSONField(_("data snapshot details"), default=dict)
    candidate_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        db_table = "cohort_run"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["definition_id", "as_of"], name="cohort_run_def_asof_idx")]

    def __str__(self) -> str:
        return f"{self.definition_id}@{self.definition_version} at {self.as_of:%Y-%m-%d}"


class Candidate(models.Model):
    """A person a definition selected, ready for the selection panel to decide on."""

    run = models.ForeignKey(CohortRun, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cohort_candidacies")
    summary = models.TextField(_("why selected"))
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        db_table = "cohort_candidate"
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="uniq_candidate_per_run")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.run_id}"


class SchemeDefinition(models.Model):
    """One saved version of a scheme's own selection definition: the YAML exactly as validated.

    Each save adds a version (1, 2, ...) and never changes an earlier one, so a saved run's
    `definition_version` always names the text it ran."""

    scheme = models.ForeignKey(
        "access.Scheme", on_delete=models.PROTECT, related_name="cohort_definitions", verbose_name=_("scheme")
    )
    definition_id = models.CharField(_("definition"), max_length=63)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("definition (YAML)"))
    sha256 = models.CharField(max_length=64)
    based_on = models.CharField(_("copied from"), max_length=100, blank=True)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        db_table = "cohort_scheme_definition"
        ordering = ["definition_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition_id", "version"], name="uniq_scheme_definition_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition_id}@{self.version}"


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class TransparencyRecord(models.Model):
    """One revision of a scheme's Algorithmic Transparency Recording Standard record for one version
    of a selection definition (docs/fairness.md). Each save adds a revision; publishing marks one;
    a new version of the definition needs a record of its own, so a record always names the text
    it describes (`definition_sha256`)."""

    scheme = models.ForeignKey(
        "access.Scheme",
        on_delete=models.PROTECT,
        related_name="transparency_records",
        verbose_name=_("scheme"),
    )
    definition_id = models.CharField(_("definition"), max_length=63)
    definition_version = models.CharField(_("definition version"), max_length=20)
    definition_sha256 = models.CharField(max_length=64)
    revision = models.PositiveIntegerField(_("revision"))
    content = models.JSONField(_("sections"), default=dict)
    figures = models.JSONField(_("disproportionality figures"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "cohort_transparency_record"
        ordering = ["scheme", "definition_id", "definition_version", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "definition_id", "definition_version", "revision"],
                name="uniq_transparency_record_revision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition_id}@{self.definition_version} record r{self.revision}"
