from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Are these records the same person?"),
        choices=[("same", _("Same person")), ("different", _("Different people"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether these records are the same person")},
    )
    reason = forms.CharField(
        label=_("Reason for the decision"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give the reason for the decision")},
    )


class UnmergeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for separating this record"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give the reason for separating this record")},
    )
