"""Forms for the administration pages: shape and types only; the rules are in access.administration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openiom.access import selectors
from openiom.access.models import AgencyKind, LegalBasis
from openiom.accounts.roles import Role

DATE = forms.DateInput(attrs={"type": "date"})
DATE_ERRORS = {"invalid": _("Enter a real date, like 2026-03-27")}


def _agency_field(required: bool = False) -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(
        label=_("Agency"), queryset=selectors.admin_agencies(), required=required, empty_label="–"
    )


def _schemes_field() -> forms.ModelMultipleChoiceField[Any]:
    return forms.ModelMultipleChoiceField(
        label=_("IOM schemes they work in"),
        queryset=selectors.admin_schemes(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150, error_messages={"required": _("Enter a username")}
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, error_messages={"required": _("Enter their first name")}
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, error_messages={"required": _("Enter their last name")}
    )
    email = forms.EmailField(label=_("Email address"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=Role.choices, error_messages={"required": _("Choose a role")}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"] = _agency_field()
        self.fields["schemes"] = _schemes_field()


class UserUpdateForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_active = forms.BooleanField(label=_("Account active (untick to deactivate)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"] = _agency_field()
        self.fields["schemes"] = _schemes_field()


class AgencyForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=20, error_messages={"required": _("Enter a short code")}
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, error_messages={"required": _("Enter the agency's name")}
    )
    kind = forms.ChoiceField(label=_("Kind of agency"), choices=AgencyKind.choices)
    source_systems = forms.CharField(
        label=_("Record systems it holds (optional)"),
        help_text=_("Source-system codes of the people and events it supplies, separated by commas"),
        required=False,
    )

    def clean_source_systems(self) -> list[str]:
        raw: str = self.cleaned_data.get("source_systems", "")
        return [s.strip() for s in raw.split(",") if s.strip()]


class SchemeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=20, error_messages={"required": _("Enter a short code")}
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, error_messages={"required": _("Enter the scheme's name")}
    )
    region = forms.CharField(
        label=_("Region"), max_length=100, error_messages={"required": _("Enter the region")}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"] = forms.ModelMultipleChoiceField(
            label=_("Agencies in the scheme"),
            queryset=selectors.admin_agencies(),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("Choose the agencies in the scheme")},
        )


class AgreementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, error_messages={"required": _("Enter a title")})
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    purposes = forms.CharField(
        label=_("Purposes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the sharing is for")},
    )
    starts_on = forms.DateField(
        label=_("Starts on"),
        widget=DATE,
        error_messages={"required": _("Enter the start date"), **DATE_ERRORS},
    )
    review_date = forms.DateField(
        label=_("Review date"),
        widget=DATE,
        error_messages={"required": _("Enter the review date"), **DATE_ERRORS},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"] = forms.ModelChoiceField(
            label=_("Scheme"),
            queryset=selectors.admin_schemes(),
            error_messages={"required": _("Choose the scheme")},
        )
        self.fields["parties"] = forms.ModelMultipleChoiceField(
            label=_("Parties"),
            queryset=selectors.admin_agencies(),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("Choose the agencies that are party to it")},
        )
        self.order_fields(
            ["scheme", "title", "parties", "legal_basis", "purposes", "starts_on", "review_date"]
        )


class RenewForm(forms.Form):
    review_date = forms.DateField(
        label=_("New review date"),
        widget=DATE,
        error_messages={"required": _("Enter the new review date"), **DATE_ERRORS},
    )


class EndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the agreement end?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason the agreement ends")},
    )
