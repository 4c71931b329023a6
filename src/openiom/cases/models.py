"""Selection panel decisions and the joint case: risk, needs, plan, referrals, contacts, reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openiom import vocabulary as v
from openiom.access.models import Agency, PersonAccessGrant, Scheme
from openiom.cohorts.models import Candidate
from openiom.people.models import Person


class CaseStatus(models.TextChoices):
    REFERRED = "referred", _("Awaiting panel")
    DEFERRED = "deferred", _("Deferred")
    DECLINED = "declined", _("Declined")
    ACTIVE = "active", _("Managed")
    EXITED = "exited", _("Exited")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    VERY_HIGH = "very_high", _("Very high")


class MappaLevel(models.IntegerChoices):
    NONE = 0, _("Not managed under MAPPA")
    LEVEL_1 = 1, _("MAPPA level 1")
    LEVEL_2 = 2, _("MAPPA level 2")
    LEVEL_3 = 3, _("MAPPA level 3")


class Case(models.Model):
    """One person's episode with one scheme, from referral or candidacy through panel to exit.

    `version` is the optimistic lock: every update checks and bumps it in the same UPDATE.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="iom_cases")
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices)
    stream = models.CharField(_("cohort stream"), max_length=30, blank=True)
    lead_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead agency"),
    )
    police_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    probation_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    risk_level = models.CharField(
        _("risk of serious harm"), max_length=20, choices=RiskLevel.choices, blank=True
    )
    risk_review_date = models.DateField(_("risk review date"), null=True, blank=True)
    domestic_abuse = models.BooleanField(_("domestic-abuse perpetrator"), default=False)
    safeguarding_children = models.BooleanField(_("safeguarding children"), default=False)
    safeguarding_adults = models.BooleanField(_("safeguarding adults"), default=False)
    gang = models.BooleanField(_("gang involvement"), default=False)
    weapons = models.BooleanField(_("weapons"), default=False)
    mappa_level = models.PositiveSmallIntegerField(
        _("MAPPA level"), choices=MappaLevel.choices, default=MappaLevel.NONE
    )
    exit_date = models.DateField(_("exit date"), null=True, blank=True)
    exit_reason = models.TextField(_("exit reason"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "iom_case"
        constraints = [models.UniqueConstraint(fields=["scheme", "person"], name="uniq_case_scheme_person")]
        indexes = [models.Index(fields=["scheme", "status"], name="case_scheme_status_idx")]


class PanelReferral(models.Model):
    """A referral of a person to the selection panel by any agency, with its reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="panel_referrals")
    agency = models.ForeignKey(Agency, null=True, on_delete=models.PROTECT, related_name="+")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason for referral"))
    referred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "iom_panel_referral"


class Decision(models.TextChoices):
    ADOPT = "adopt", _("Adopt")
    DECLINE = "decline", _("Decline")
    DEFER = "defer", _("Defer")
    DESELECT = "deselect", _("De-select")


class PanelDecision(models.Model):
    """Every panel decision, kept: the decision history of a person."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    rationale = models.TextField(_("rationale"))
    mappa_override = models.TextField(_("MAPPA override reason"), blank=True)
    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    effective_on = models.DateField(_("date"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "iom_panel_decision"
        ordering = ["-decided_at", "-id"]


# The codes are openiom.vocabulary's; only the translated labels are added here.
class Pathway(models.TextChoices):
    ACCOMMODATION = v.ACCOMMODATION, _("Accommodation")
    ETE = v.ETE, _("Education, training and employment")
    HEALTH = v.HEALTH, _("Health")
    DRUGS_ALCOHOL = v.DRUGS_ALCOHOL, _("Drugs and alcohol")
    FINANCE = v.FINANCE, _("Finance, benefit and debt")
    FAMILIES = v.FAMILIES, _("Children and families")
    ATTITUDES = v.ATTITUDES, _("Attitudes, thinking and behaviour")
    DOMESTIC_ABUSE = v.DOMESTIC_ABUSE, _("Domestic abuse")


RESTRICTED_PATHWAYS = frozenset(Pathway(p) for p in v.RESTRICTED_PATHWAYS)


class NeedLevel(models.TextChoices):
    NONE = "none", _("No need")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Need(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs")
    pathway = models.CharField(_("pathway"), max_length=30, choices=Pathway.choices)
    level = models.CharField(_("level"), max_length=10, choices=NeedLevel.choices)
    notes = models.TextField(_("notes"), blank=True)
    no_action_reason = models.TextField(_("reason for no action"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "iom_need"
        constraints = [models.UniqueConstraint(fields=["case", "pathway"], name="uniq_need_pathway")]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")


class Plan(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "iom_plan"


class Requirement(models.Model):
    """Something the person must do, by when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="requirements")
    text = models.TextField(_("what the person must do"))
    due_date = models.DateField(_("by when"))
    how_checked = models.TextField(_("how it will be checked"), blank=True)
    # Withdrawn requirements stay, so every plan version can still show what it asked.
    withdrawn = models.BooleanField(_("withdrawn"), default=False)

    class Meta:
        db_table = "iom_plan_requirement"
        ordering = ["due_date", "id"]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Withdrawn")


class PlanAction(models.Model):
    """Something an agency will do, with its owner agency and worker."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    pathway = models.CharField(_("need it addresses"), max_length=30, choices=Pathway.choices, blank=True)
    text = models.TextField(_("action"))
    owner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner agency")
    )
    owner_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    victim_safety = models.BooleanField(_("victim-safety action"), default=False)
    # A code of the Plan action types list (enforcement, welfare, treatment…): which agency's lane
    # the action is in (openiom.workforce lanes).
    action_type = models.CharField(_("type of action"), max_length=40, blank=True)

    class Meta:
        db_table = "iom_plan_action"
        ordering = ["due_date", "id"]


class PlanVersion(models.Model):
    """Every saved version of a plan, as it stood."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=PlanStatus.choices)
    snapshot = models.JSONField()
    change = models.CharField(max_length=200)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "iom_plan_version"
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="uniq_plan_version")]


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    DISENGAGED = "disengaged", _("Disengaged")
    NO_PROVISION = "no_provision", _("No provision")


class ReferralOutcome(models.TextChoices):
    """What came of a closed referral, as the partner records it: whether the need was met is read
    from here, never guessed from the status."""

    TREATMENT_COMPLETED = "treatment_completed", _("Treatment or support completed: need met")
    ENGAGED = "engaged", _("Engaged and the need is met, without completing the programme")
    COMPLETED_NOT_MET = "completed_not_met", _("Completed, but the need is not met")
    DISENGAGED = "disengaged", _("Disengaged: need not met")
    DECLINED = "declined", _("Declined by the person: need not met")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for the service: need not met")
    NO_PROVISION = "no_provision", _("No provision available: need not met")


class ServiceReferral(models.Model):
    """A referral to a partner service; while open it grants the partner the fields it needs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="service_referrals")
    service = models.CharField(_("service"), max_length=40)
    pathway = models.CharField(_("need"), max_length=30, choices=Pathway.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="service_referrals")
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    reason = models.TextField(_("reason for referral"))
    outcome_reason = models.TextField(_("reason"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=ReferralOutcome.choices, blank=True)
    sent_on = models.DateField()
    accepted_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    grant = models.ForeignKey(PersonAccessGrant, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "iom_service_referral"
        indexes = [models.Index(fields=["agency", "status"], name="service_referral_agency_idx")]


class ContactOutcome(models.TextChoices):
    PLANNED = "planned", _("Booked")
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed")


class Contact(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    contact_type = models.CharField(_("type"), max_length=40)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    on = models.DateField(_("date"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=ContactOutcome.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        db_table = "iom_contact"
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["case", "outcome", "on"], name="contact_case_outcome_idx"),
            # The caseload counts recent missed appointments across every case at once.
            # With the case in it, the count is read from the index alone.
            models.Index(
                fields=["on", "case"], condition=models.Q(outcome="missed"), name="contact_missed_on_case_idx"
            ),
        ]


class Review(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    due_date = models.DateField(_("due date"))
    completed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(_("review notes"), blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "iom_review"
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["case", "completed_on", "due_date"], name="review_case_due_idx")]


class EventKind(models.TextChoices):
    DECISION = "decision", _("Panel decision")
    PANEL_REFERRAL = "panel_referral", _("Referred to panel")
    RISK = "risk", _("Risk and flags")
    NEED = "need", _("Need")
    PLAN = "plan", _("Plan")
    REFERRAL = "referral", _("Service referral")
    CONTACT = "contact", _("Contact")
    REVIEW = "review", _("Review")
    TRANSFER = "transfer", _("Transfer")
    EXIT = "exit", _("Exit")
    REOPEN = "reopen", _("Reopened")


class CaseEvent(models.Model):
    """The case timeline: one row per decision, contact, referral change, plan change and so on."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    text = models.TextField()
    restricted = models.BooleanField(default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "iom_case_event"
        ordering = ["-at", "-id"]


class ListKind(models.TextChoices):
    STREAM = "stream", _("Cohort stream")
    SERVICE = "service", _("Service")
    CONTACT_TYPE = "contact_type", _("Contact type")
    ACTION_TYPE = "action_type", _("Plan action type")


class ListEntry(models.Model):
    """One entry of a list administrators configure: cohort streams, services, contact types, plan
    action types.

    Records store the code, so a code never changes once made; an entry no longer offered is retired
    (inactive), and records that use it still show its label.
    """

    kind = models.CharField(max_length=20, choices=ListKind.choices)
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    # Services only: the need pathway a referral to the service meets, and which parts of the
    # person's record the referral shares with the partner agency.
    pathway = models.CharField(_("pathway"), max_length=20, choices=Pathway.choices, blank=True)
    field_groups = models.JSONField(default=list, blank=True)
    active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "iom_list_entry"
        ordering = ["kind", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="uniq_list_entry_code")]
