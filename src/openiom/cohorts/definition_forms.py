"""The form an analyst edits a definition in: its YAML, the scheme it belongs to, what changed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from openiom.access.models import Scheme


class DefinitionForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label=_("Scheme"),
        help_text=_("The scheme whose definitions this is saved with; its members can read and run it."),
        queryset=Scheme.objects.none(),
        empty_label=None,
    )
    text = forms.CharField(
        label=_("Definition (YAML)"),
        help_text=_(
            "Change the id, title or any setting of the rule. The version is set when you save. "
            "The format is described in the cohorts guide (docs/cohorts.md)."
        ),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "openiom-mono"}),
        strip=False,
    )
    note = forms.CharField(
        label=_("What changed (optional)"),
        help_text=_("For example: threshold lowered from 6 to 5 convictions"),
        required=False,
        max_length=500,
    )

    def __init__(
        self, *args: Any, schemes: QuerySet[Scheme], fixed_scheme: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scheme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = schemes
        if fixed_scheme:
            field.disabled = True
