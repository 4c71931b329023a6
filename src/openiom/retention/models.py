from django.conf import settings
from django.db import models


class RetentionReview(models.Model):
    """One run of the retention job: what was found, who approved it, when it was applied."""

    record_type = models.CharField(max_length=40)
    action = models.CharField(max_length=20)
    keep_years = models.IntegerField()
    cutoff = models.DateField()
    record_ids = models.JSONField(default=list)
    found_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True)
    approval_reason = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True)
    applied_count = models.IntegerField(null=True)

    class Meta:
        db_table = "retention_review"
