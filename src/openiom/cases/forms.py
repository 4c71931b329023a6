"""Forms: they check shape and types; the rules themselves live in rules.py and services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case as When_
from django.db.models import QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from openiom.access.models import Agency, Scheme
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.cases import rules, selectors
from openiom.cases.lists import choices, lists
from openiom.cases.models import (
    ActionStatus,
    ContactOutcome,
    Decision,
    MappaLevel,
    NeedLevel,
    Pathway,
    ReferralOutcome,
    ReferralStatus,
    RiskLevel,
)
from openiom.workforce import selectors as workforce_selectors

DATE = forms.DateInput(attrs={"type": "date"})


def _required(message: Any) -> dict[str, Any]:
    return {"required": message, "invalid": _("Enter a real date, like 2026-03-27")}


def model_field(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    """The form's model-choice field `name`, typed, for setting its queryset per request."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """The form's choice field `name`, typed, for setting its choices per request."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class WorkerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # not generic at run time
    """A select of people by name (with their agency), not by login name; where the case needs
    training, those without it in date come last and say so."""

    untrained: frozenset[int] = frozenset()

    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        label = f"{name} ({obj.agency.name})" if obj.agency_id else name
        if obj.pk in self.untrained:
            label = f"{label} – {_('not trained for this case')}"
        return str(label)


TRAINING_OVERRIDE_HELP = _(
    "Only if a worker you choose does not have in-date training this case's flags need: why they "
    "should hold it anyway. Coordinators only; it is kept and counted."
)


def training_override_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason for allocating without the training"),
        help_text=TRAINING_OVERRIDE_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


def offer_trained_first(form: forms.Form, names: tuple[str, ...], needed: list[Any]) -> None:
    """Order each worker select so staff holding every needed course in date come first."""
    if not needed:
        return
    for name in names:
        field = form.fields[name]
        assert isinstance(field, WorkerChoiceField) and field.queryset is not None
        ranked = workforce_selectors.workers_trained_first(field.queryset, needed)
        field.untrained = frozenset(w.pk for w, trained in ranked if not trained)
        field.queryset = field.queryset.annotate(
            lacks_training=When_(When(pk__in=list(field.untrained), then=Value(1)), default=Value(0))
        ).order_by("lacks_training", "last_name", "first_name")


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReferToPanelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the panel consider this person?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Give the reason for the referral")},
    )
    mappa_level = forms.TypedChoiceField(
        label=_("Is the person managed under MAPPA?"),
        choices=MappaLevel.choices,
        coerce=int,
        initial=MappaLevel.NONE,
    )


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(d.value, d.label) for d in Decision if d != Decision.DESELECT],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose adopt, decline or defer")},
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        help_text=_("Why the panel decided this. It is kept in the person's decision history."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    mappa_override = forms.CharField(
        label=_("MAPPA override reason"),
        help_text=_("Only if the person is managed under MAPPA and you are adopting them."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    stream = forms.ChoiceField(label=_("Cohort stream (if adopting)"), required=False)
    lead_agency = forms.ModelChoiceField(
        label=_("Lead agency (if adopting)"), queryset=Agency.objects.none(), required=False
    )
    police_worker = WorkerChoiceField(
        label=_("Police key worker"), queryset=User.objects.none(), required=False
    )
    probation_worker = WorkerChoiceField(
        label=_("Probation key worker"), queryset=User.objects.none(), required=False
    )
    start_date = forms.DateField(label=_("Start date (if adopting)"), widget=DATE, required=False)
    training_override = training_override_field()

    def __init__(self, *args: Any, scheme: Scheme, needed: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "stream").choices = [("", ""), *choices(lists().streams)]
        model_field(self, "lead_agency").queryset = selectors.lead_agencies(scheme=scheme)
        model_field(self, "police_worker").queryset = selectors.scheme_workers(
            scheme=scheme, role=Role.POLICE_OFFICER
        )
        model_field(self, "probation_worker").queryset = selectors.scheme_workers(
            scheme=scheme, role=Role.PROBATION_PRACTITIONER
        )
        offer_trained_first(self, ("police_worker", "probation_worker"), needed or [])


class RiskForm(VersionedForm):
    risk_level = forms.ChoiceField(
        label=_("Risk of serious harm"), choices=[("", ""), *list(RiskLevel.choices)], required=False
    )
    risk_review_date = forms.DateField(label=_("Risk review date"), widget=DATE, required=False)
    domestic_abuse = forms.BooleanField(label=_("Domestic-abuse perpetrator"), required=False)
    safeguarding_children = forms.BooleanField(label=_("Safeguarding children"), required=False)
    safeguarding_adults = forms.BooleanField(label=_("Safeguarding adults"), required=False)
    gang = forms.BooleanField(label=_("Gang involvement"), required=False)
    weapons = forms.BooleanField(label=_("Weapons"), required=False)
    mappa_level = forms.TypedChoiceField(label=_("MAPPA level"), choices=MappaLevel.choices, coerce=int)


class NeedForm(VersionedForm):
    level = forms.ChoiceField(
        label=_("Level of need"),
        choices=NeedLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the level of need")},
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    no_action_reason = forms.CharField(
        label=_("Reason for no action"),
        help_text=_("If the plan will have no action for this need, say why."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class RequirementForm(VersionedForm):
    text = forms.CharField(
        label=_("What the person must do"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what the person must do")},
    )
    due_date = forms.DateField(label=_("By when"), widget=DATE, error_messages=_required(_("Enter by when")))
    how_checked = forms.CharField(
        label=_("How it will be checked"),
        help_text=_("For example: attendance confirmed by the service to the key worker."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class ActionForm(VersionedForm):
    text = forms.CharField(
        label=_("Action"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what the agency will do")},
    )
    pathway = forms.ChoiceField(
        label=_("Need it addresses"), choices=[("", _("None")), *list(Pathway.choices)], required=False
    )
    owner_agency = forms.ModelChoiceField(
        label=_("Owner agency"),
        queryset=Agency.objects.none(),
        error_messages={"required": _("Choose the owner agency")},
    )
    owner_worker = WorkerChoiceField(
        label=_("Owner worker"),
        help_text=_("A worker of the owner agency in the case's scheme."),
        queryset=User.objects.none(),
        required=False,
    )
    due_date = forms.DateField(
        label=_("Due date"), widget=DATE, error_messages=_required(_("Enter the due date"))
    )
    action_type = forms.ChoiceField(
        label=_("Type of action"),
        help_text=_("Which kind of work it is: the scheme agrees which agency should own each type."),
        required=False,
    )
    victim_safety = forms.BooleanField(label=_("This is a victim-safety action"), required=False)

    def __init__(self, *args: Any, scheme: Scheme, **kwargs: Any) -> None:
        # The plan page shows this form beside the requirement form: both have "text" and
        # "due_date", and with the same ids each label (and error link) pointed at the requirement's.
        kwargs.setdefault("auto_id", "id_action_%s")
        super().__init__(*args, **kwargs)
        model_field(self, "owner_agency").queryset = selectors.scheme_agencies(scheme=scheme)
        model_field(self, "owner_worker").queryset = selectors.scheme_workers(scheme=scheme)
        choice_field(self, "action_type").choices = [("", _("Not given")), *choices(lists().action_types)]


class ActionStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class ServiceReferralForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"), error_messages={"required": _("Choose a service")})
    agency = forms.ModelChoiceField(
        label=_("Partner agency"),
        queryset=Agency.objects.none(),
        error_messages={"required": _("Choose the partner agency")},
    )
    reason = forms.CharField(
        label=_("Reason for referral"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for the referral")},
    )

    def __init__(self, *args: Any, scheme: Scheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "service").choices = [("", ""), *choices(lists().services)]
        model_field(self, "agency").queryset = selectors.partner_agencies(scheme=scheme)


class NextStatusField(forms.ChoiceField):
    """Offers only the statuses allowed next, but passes any known status on, so a stale or crafted
    choice gets the rule's own message ("cannot become …") rather than a generic one."""

    def valid_value(self, value: Any) -> bool:
        return str(value) in ReferralStatus.values


class ReferralUpdateForm(VersionedForm):
    status = NextStatusField(
        label=_("New status"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the new status")},
    )
    on = forms.DateField(label=_("Date"), widget=DATE, error_messages=_required(_("Enter the date")))
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        help_text=_("When the referral closes: what came of it, and whether the need was met."),
        choices=[("", _("Not closing yet")), *ReferralOutcome.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Needed if the referral is declined, the person disengaged or there is no provision."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the moves the rules allow from here are offered.
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (s, ReferralStatus(s).label) for s in rules.next_statuses(current)
        ]


class ContactForm(forms.Form):
    contact_type = forms.ChoiceField(
        label=_("Type of contact"), error_messages={"required": _("Choose a contact type")}
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), error_messages={"required": _("Choose the agency")}
    )
    on = forms.DateField(label=_("Date"), widget=DATE, error_messages=_required(_("Enter the date")))
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose attended, missed or booked")},
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, scheme: Scheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "contact_type").choices = [("", ""), *choices(lists().contact_types)]
        model_field(self, "agency").queryset = selectors.scheme_agencies(scheme=scheme)


class ReviewForm(VersionedForm):
    notes = forms.CharField(
        label=_("What did the review find?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what the review found")},
    )
    next_due = forms.DateField(
        label=_("Next review due"),
        widget=DATE,
        error_messages=_required(_("Enter when the next review is due")),
    )


class TransferForm(VersionedForm):
    scheme = forms.ModelChoiceField(
        label=_("Scheme"), queryset=Scheme.objects.none(), error_messages={"required": _("Choose the scheme")}
    )
    police_worker = WorkerChoiceField(
        label=_("Police key worker"), queryset=User.objects.none(), required=False
    )
    probation_worker = WorkerChoiceField(
        label=_("Probation key worker"), queryset=User.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason for the transfer"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for the transfer")},
    )
    training_override = training_override_field()

    def __init__(
        self, *args: Any, schemes: QuerySet[Scheme], needed: list[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "scheme").queryset = schemes
        users = selectors.schemes_workers(schemes=schemes)
        model_field(self, "police_worker").queryset = users.filter(role=Role.POLICE_OFFICER)
        model_field(self, "probation_worker").queryset = users.filter(role=Role.PROBATION_PRACTITIONER)
        offer_trained_first(self, ("police_worker", "probation_worker"), needed or [])


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why is the case being reopened?"),
        help_text=_("Kept on the case timeline and in the audit trail."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for reopening")},
    )


class ExitForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason for de-selection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for de-selection")},
    )
    on = forms.DateField(
        label=_("Date of de-selection"), widget=DATE, error_messages=_required(_("Enter the date"))
    )


SHARE_CHOICES = [
    ("identity", _("Identity (name, date of birth, identifiers)")),
    ("offending_history", _("Offending history")),
    ("health", _("Health and substance misuse (restricted: opened with a stated purpose)")),
]


class ListEntryForm(VersionedForm):
    """Change an entry of a configurable list; the service fields only show for services."""

    label = forms.CharField(label=_("Label"), max_length=100, required=False)
    active = forms.BooleanField(label=_("Offer this in forms"), required=False)
    pathway = forms.ChoiceField(
        label=_("Need pathway a referral meets"), choices=[("", ""), *Pathway.choices], required=False
    )
    field_groups = forms.MultipleChoiceField(
        label=_("What a referral shares with the partner agency"),
        choices=SHARE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, service: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not service:
            del self.fields["pathway"], self.fields["field_groups"]


class ListEntryNewForm(ListEntryForm):
    code = forms.CharField(
        label=_("Code"),
        help_text=_(
            "Stored on every record that uses the entry, so it cannot change later. Lower-case letters, "
            "digits and underscores, for example day_centre."
        ),
        max_length=40,
        required=False,
    )
    field_order = ["code", "label"]

    def __init__(self, *args: Any, service: bool, **kwargs: Any) -> None:
        super().__init__(*args, service=service, **kwargs)
        del self.fields["version"], self.fields["active"]
