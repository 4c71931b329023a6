"""Which source records are one person.

A `Person` row is one agency's record of someone (source_system, source_id) and is never deleted by
linkage. A `PersonLink` says a source record belongs to another record, the *canonical* one, which
stands for the person everywhere: rules, counts, case pages and histories read a record's events
through its link. A record with no link is its own person. Unmerging deletes the link, so every
source record and event is exactly as it was imported.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiom.people.models import Person


class LinkageRun(models.Model):
    """One linkage of an area or an import: the trained model, its version and what it found."""

    started_at = models.DateTimeField(auto_now_add=True)
    trigger = models.CharField(max_length=20)  # "run" (iom link run) or "import"
    backend = models.CharField(max_length=10, default="duckdb")
    model_version = models.CharField(max_length=12, db_index=True)
    model = models.JSONField(help_text="The Splink settings with the estimated m and u parameters.")
    config = models.JSONField()
    records = models.IntegerField()
    automatic_links = models.IntegerField(default=0)
    review_pairs = models.IntegerField(default=0)
    problems = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "identity_linkage_run"


class LinkBasis(models.TextChoices):
    IDENTIFIER = "identifier", _("Same identifier")
    MODEL = "model", _("Match probability above the automatic threshold")
    CLERICAL = "clerical", _("Decided by an administrator")


class PersonLink(models.Model):
    record = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="identity_link")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="linked_records")
    basis = models.CharField(max_length=12, choices=LinkBasis.choices)
    match_probability = models.FloatField(null=True, blank=True)
    run = models.ForeignKey(LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "identity_person_link"
        constraints = [
            models.CheckConstraint(condition=~models.Q(record=models.F("person")), name="link_not_self")
        ]


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Different people")


class MatchCandidate(models.Model):
    """A pair of source records the model could not decide, waiting for an administrator."""

    left = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField(null=True, blank=True)
    evidence = models.JSONField(default=list)
    why = models.CharField(max_length=300, blank=True)
    run = models.ForeignKey(LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "identity_match_candidate"
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="uniq_candidate_pair"),
            models.CheckConstraint(condition=models.Q(left__lt=models.F("right")), name="candidate_ordered"),
        ]
        indexes = [models.Index(fields=["status", "-match_probability"], name="candidate_queue_idx")]
