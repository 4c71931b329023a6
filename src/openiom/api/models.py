from django.conf import settings
from django.db import models


class IdempotentRequest(models.Model):
    """A POST made with an Idempotency-Key, and its answer: a retry gets the same answer, not a second write."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # the method, path and body it was first used for
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    etag = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "api_idempotent_request"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uniq_api_idempotency_key")]
