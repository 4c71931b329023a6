from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from openiom.access.models import ReviewOutcome
from openiom.access.restricted import validate_purpose


class AlertReviewForm(forms.Form):
    """A coordinator's review of one emergency access: was it justified, and why they think so."""

    outcome = forms.ChoiceField(
        label=_("Was the emergency access justified?"),
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the emergency access was justified")},
    )
    note = forms.CharField(
        label=_("Your review"),
        help_text=_("What you checked and what you concluded. It is recorded with your name."),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=2000,
        validators=[validate_purpose],
        error_messages={
            "required": _("Enter what you checked and concluded"),
            "min_length": _("Give a fuller review (at least 10 characters)"),
        },
    )
