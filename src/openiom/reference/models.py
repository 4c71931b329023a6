"""Versioned reference data: offence list, categories, unit costs of crime, harm weights.

Each loaded version is kept; exactly one is active. Rows carry the status and source of every
figure so that UNCONFIRMED figures are never shown as official.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureStatus(models.TextChoices):
    CONFIRMED = "CONFIRMED", _("Confirmed")
    UNCONFIRMED = "UNCONFIRMED", _("Unconfirmed")


class ReferenceDataSet(models.Model):
    version = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    published = models.DateField(null=True)
    notes = models.TextField(blank=True)
    sources = models.JSONField(default=dict)
    content_sha256 = models.CharField(max_length=64)
    is_active = models.BooleanField(default=False)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        db_table = "reference_dataset"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_reference_dataset"
            )
        ]

    def __str__(self) -> str:
        return self.version


class OffenceCategory(models.Model):
    dataset = models.ForeignKey(ReferenceDataSet, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    neighbourhood_crime = models.BooleanField()
    proven_offence_group = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=FigureStatus.choices)
    source = models.CharField(max_length=40)

    class Meta:
        db_table = "reference_offence_category"
        constraints = [
            models.UniqueConstraint(fields=["dataset", "category"], name="uniq_category_per_dataset")
        ]


class UnitCost(models.Model):
    dataset = models.ForeignKey(ReferenceDataSet, on_delete=models.CASCADE, related_name="unit_costs")
    cost_category = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    unit_cost_gbp = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    price_base = models.CharField(max_length=20)
    status = models.CharField(max_length=12, choices=FigureStatus.choices)
    source = models.CharField(max_length=40)
    note = models.TextField(blank=True)

    class Meta:
        db_table = "reference_unit_cost"
        constraints = [
            models.UniqueConstraint(fields=["dataset", "cost_category"], name="uniq_cost_per_dataset")
        ]


class Offence(models.Model):
    dataset = models.ForeignKey(ReferenceDataSet, on_delete=models.CASCADE, related_name="offences")
    offence_code = models.CharField(max_length=20)
    description = models.CharField(max_length=300)
    category = models.CharField(max_length=40)
    cost_category = models.CharField(max_length=40, blank=True)
    css_weight = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    css_status = models.CharField(max_length=12, choices=FigureStatus.choices)
    ogrs3_weight = models.DecimalField(max_digits=8, decimal_places=4, null=True)
    ogrs3_status = models.CharField(max_length=12, choices=FigureStatus.choices)

    class Meta:
        db_table = "reference_offence"
        constraints = [
            models.UniqueConstraint(fields=["dataset", "offence_code"], name="uniq_offence_per_dataset")
        ]
