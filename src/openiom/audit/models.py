"""Append-only audit trail of reads and writes, chained by hash so edits can be detected."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list)
    purpose = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict)
    # The person the row is about, kept as a plain id: the row outlives the person's record.
    subject_person = models.BigIntegerField(null=True, blank=True)
    # 1: written before the subject column, which is then back-filled and outside the hash;
    # 2: the subject is hashed with the rest of the row.
    payload_version = models.PositiveSmallIntegerField(default=2)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        db_table = "audit_event"
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["subject_person", "occurred_at"], name="audit_subject_idx"),
        ]


class AuditChainHead(models.Model):
    """One row, locked while appending, so concurrent writers cannot fork the chain."""

    last_hash = models.CharField(max_length=64)
    last_event_id = models.BigIntegerField(null=True)
    # Rows in the chain: a checkpoint names a row by its position, so a shortened trail shows.
    length = models.BigIntegerField(default=0)

    class Meta:
        db_table = "audit_chain_head"
