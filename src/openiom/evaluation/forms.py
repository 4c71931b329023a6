from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openiom.access.models import Scheme
from openiom.evaluation import selectors


class EvaluationForm(forms.Form):
    config = forms.CharField(
        label=_("Configuration"),
        help_text=_(
            "In YAML, with the keys described in the evaluation guide. File names are relative to the "
            "evaluation data folder on the server."
        ),
        widget=forms.Textarea,
        max_length=20_000,
        error_messages={"required": _("Enter the configuration")},
    )
    treated = forms.FileField(
        label=_("Treated people (optional)"),
        help_text=_(
            "A CSV or Parquet file with source_id and index_date for each person on the programme. "
            "If you choose one, it is used instead of data.treated in the configuration."
        ),
        required=False,
    )
    scheme = forms.ModelChoiceField(
        label=_("Scheme"),
        help_text=_("Other analysts of this scheme will also see the evaluation."),
        queryset=Scheme.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"required": _("Select the scheme whose analysts may see the evaluation")},
    )

    def __init__(self, *args: Any, schemes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if schemes is not None and len(schemes) > 1:
            field = self.fields["scheme"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = selectors.schemes_among(schemes)
            field.required = True
        else:
            del self.fields["scheme"]
