"""The workforce: the training catalogue, who completed what and when, and allocations made without
the training a case's flags need (each with its recorded reason)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiom import vocabulary as v
from openiom.access.models import Scheme
from openiom.cases.models import Case

_DA, _SC, _SA, _MAPPA, _GANG, _WEAPONS = v.CASE_FLAGS


class CaseFlag(models.TextChoices):
    """The codes are openiom.vocabulary's; only the translated labels are added here."""

    DOMESTIC_ABUSE = _DA, _("Domestic-abuse perpetrator")
    SAFEGUARDING_CHILDREN = _SC, _("Safeguarding children")
    SAFEGUARDING_ADULTS = _SA, _("Safeguarding adults")
    MAPPA = _MAPPA, _("Managed under MAPPA")
    GANG = _GANG, _("Gang involvement")
    WEAPONS = _WEAPONS, _("Weapons")


class Course(models.Model):
    """A course in the training catalogue, which administrators edit.

    `flags` (openiom.vocabulary CASE_FLAGS) and `streams` (cohort stream codes) say which cases need
    it: a case needs every active course one of whose flags is set on it, or whose streams hold its
    stream. Records store the code, so a code never changes once made; a course no longer offered is
    retired (inactive) and is then required for nothing.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    # None: a completion never expires.
    validity_months = models.PositiveSmallIntegerField(_("valid for (months)"), null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    streams = models.JSONField(default=list, blank=True)
    active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "workforce_course"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class RecordSource(models.TextChoices):
    WEB = "web", _("Entered on the web")
    IMPORT = "import", _("Imported")


class TrainingRecord(models.Model):
    """One completion of a course by one worker. `expires_on` is worked out from the course's
    validity when the record is made (the last day it is in date); None if it never expires."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_records"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="records")
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    evidence = models.CharField(_("evidence reference"), max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=RecordSource.choices, default=RecordSource.WEB)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "workforce_training_record"
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "course", "completed_on"], name="uniq_training_completion"
            )
        ]
        indexes = [models.Index(fields=["worker", "course", "expires_on"], name="training_worker_course_idx")]


class AllocationOverride(models.Model):
    """A case allocated to a worker without the in-date training its flags need, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="training_overrides")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    courses = models.JSONField(default=list)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "workforce_allocation_override"
        ordering = ["-recorded_at", "-id"]


class LaneRule(models.Model):
    """Which kinds of agency (access AgencyKind codes) should own a type of plan action in a scheme.
    Rows with no scheme are the defaults (lanes.yaml); a scheme's own row replaces the default."""

    scheme = models.ForeignKey(Scheme, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    action_type = models.CharField(max_length=40)
    owner_kinds = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "workforce_lane_rule"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "action_type"], name="uniq_lane_rule"),
            models.UniqueConstraint(
                fields=["action_type"], condition=models.Q(scheme__isnull=True), name="uniq_lane_default"
            ),
        ]
