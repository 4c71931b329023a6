"""Who may see whom: agencies, IOM schemes, sharing agreements and per-person grants."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiom.people.models import Person


class AgencyKind(models.TextChoices):
    POLICE = "police", _("Police force")
    PROBATION = "probation", _("Probation region")
    PARTNER = "partner", _("Partner organisation")
    NATIONAL = "national", _("National body")


class Agency(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    # Person and event records whose source_system is listed here belong to this agency.
    source_systems = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "agency"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Scheme(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=100)
    agencies = models.ManyToManyField(Agency, related_name="schemes", blank=True)

    class Meta:
        db_table = "iom_scheme"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchemeMembership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheme_memberships"
    )
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        db_table = "scheme_membership"
        constraints = [models.UniqueConstraint(fields=["user", "scheme"], name="uniq_scheme_membership")]


class SchemePerson(models.Model):
    """A person the scheme works with (a candidate, a referral or a managed case)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="people")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="schemes")
    reason = models.CharField(max_length=200)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "scheme_person"
        constraints = [models.UniqueConstraint(fields=["scheme", "person"], name="uniq_scheme_person")]


class LegalBasis(models.TextChoices):
    DPA_PART3 = "dpa2018_part3", _("Data Protection Act 2018 Part 3 (law enforcement processing)")
    CDA_S115 = "cda1998_s115", _("Crime and Disorder Act 1998 section 115")
    UK_GDPR_6_1_E = "uk_gdpr_6_1_e", _("UK GDPR Article 6(1)(e) public task")
    COMMON_LAW = "common_law", _("Common law (public interest)")


class SharingAgreement(models.Model):
    """An information-sharing agreement: while in force, partners in the scheme may see its data."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(max_length=200)
    parties = models.ManyToManyField(Agency, related_name="agreements")
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    purposes = models.TextField()
    starts_on = models.DateField()
    review_date = models.DateField()

    class Meta:
        db_table = "sharing_agreement"

    def __str__(self) -> str:
        return self.title

    def in_force(self, on: date) -> bool:
        return self.starts_on <= on <= self.review_date


class PersonAccessGrant(models.Model):
    """Access for a partner agency to one person, and only to the listed field groups."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_grants")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="person_grants")
    field_groups = models.JSONField(default=list)
    purpose = models.CharField(max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "person_access_grant"


class ReviewOutcome(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    NOT_JUSTIFIED = "not_justified", _("Not justified")


class CoordinatorAlert(models.Model):
    """Something a scheme coordinator must look at, such as an emergency access to restricted data."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="alerts")
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    message = models.TextField()
    group = models.CharField(max_length=20, blank=True)
    purpose = models.CharField(max_length=300, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)

    class Meta:
        db_table = "coordinator_alert"
