from django.db import models
from django.utils.translation import gettext_lazy as _

from openiom import vocabulary as v
from openiom.people.models import Person


# The codes are openiom.vocabulary's; only the translated labels are added here.
class EventType(models.TextChoices):
    ARREST = v.ARREST, _("Arrest")
    CHARGE = v.CHARGE, _("Charge")
    CONVICTION = v.CONVICTION, _("Conviction")
    CAUTION = v.CAUTION, _("Caution")
    OUT_OF_COURT_DISPOSAL = v.OUT_OF_COURT_DISPOSAL, _("Out-of-court disposal")


class Disposal(models.TextChoices):
    CUSTODY = v.CUSTODY, _("Custody")
    SUSPENDED_SENTENCE = v.SUSPENDED_SENTENCE, _("Suspended sentence")
    COMMUNITY_ORDER = v.COMMUNITY_ORDER, _("Community order")
    FINE = v.FINE, _("Fine")
    CONDITIONAL_DISCHARGE = v.CONDITIONAL_DISCHARGE, _("Conditional discharge")
    ABSOLUTE_DISCHARGE = v.ABSOLUTE_DISCHARGE, _("Absolute discharge")
    OTHER_COURT = v.OTHER_COURT, _("Other court disposal")
    CAUTION = v.CAUTION_DISPOSAL, _("Caution")
    CONDITIONAL_CAUTION = v.CONDITIONAL_CAUTION, _("Conditional caution")
    COMMUNITY_RESOLUTION = v.COMMUNITY_RESOLUTION, _("Community resolution")
    PENALTY_NOTICE = v.PENALTY_NOTICE, _("Penalty notice")


class OffendingEvent(models.Model):
    source_system = models.CharField(max_length=40)
    source_id = models.CharField(max_length=64)
    # The (person, outcome_date) index below serves person lookups; a second index would slow imports.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="events", db_index=False)
    event_type = models.CharField(_("event"), max_length=24, choices=EventType.choices)
    offence_date = models.DateField(_("offence date"))
    outcome_date = models.DateField(_("outcome date"))
    offence_code = models.CharField(_("offence code"), max_length=20)
    disposal = models.CharField(_("disposal"), max_length=24, choices=Disposal.choices, null=True, blank=True)
    custody_start = models.DateField(_("custody start"), null=True, blank=True)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    sentence_days = models.IntegerField(_("sentence length (days)"), null=True, blank=True)
    victim_ref = models.CharField(_("victim reference"), max_length=64, null=True, blank=True)
    domestic_abuse = models.BooleanField(_("domestic abuse"), default=False)
    force_code = models.CharField(_("force"), max_length=10, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "offending_event"
        constraints = [
            models.UniqueConstraint(fields=["source_system", "source_id"], name="uniq_event_source")
        ]
        indexes = [models.Index(fields=["person", "outcome_date"], name="event_person_date_idx")]
