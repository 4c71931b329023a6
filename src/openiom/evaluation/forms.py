from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiom.access.models import Scheme
from openiom.cases.lists import choices, lists
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


# The built-in outcomes the form offers (openiom.evaluation.config.OUTCOMES), with their page labels.
OUTCOME_LABELS = {
    "proven_reoffending": _("Proven reoffending (always included)"),
    "reoffending_frequency": _("Number of proven reoffences"),
    "days_to_first_reoffence": _("Days to the first reoffence"),
    "custodial_reoffending": _("Reoffending leading to custody"),
    "custodial_frequency": _("Number of reoffences leading to custody"),
    "severity": _("Severity of reoffending (Crime Severity Score)"),
    "cost_of_crime": _("Cost of reoffending"),
}
# The JDL's smallest treated group, also the configuration's default min_cohort.
MIN_COHORT = 60
# One year of follow-up and six months for its offences to be proven (docs/evaluation.md).
FOLLOW_UP_MONTHS = 18


def _months_after(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


class _Checkboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose field is labelled by its first box, so the error summary's link lands on it."""

    def id_for_label(self, id_: str, index: str | None = "0") -> str:
        return f"{id_}_{index or 0}" if id_ else ""


class CasesEvaluationForm(forms.Form):
    """Evaluate the scheme's adopted cases against the never-adopted people of the user's scope."""

    # Its fields share the page with the configuration form's: the prefix keeps their ids apart.
    prefix = "cases"
    source = forms.CharField(widget=forms.HiddenInput, initial="cases")
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    scheme = forms.ModelChoiceField(
        label=_("Scheme"),
        help_text=_("Its adopted cases are the treated group; its analysts will also see the evaluation."),
        queryset=Scheme.objects.none(),
        empty_label=None,
        error_messages={"required": _("Select the scheme whose cases to evaluate")},
    )
    streams = forms.MultipleChoiceField(
        label=_("Cohort streams"),
        widget=_Checkboxes,
        error_messages={"required": _("Select at least one cohort stream")},
    )
    adopted_from = forms.DateField(
        label=_("Adopted on or after"),
        error_messages={
            "required": _("Enter the first adoption date"),
            "invalid": _("Enter the first adoption date as a real date"),
        },
    )
    adopted_to = forms.DateField(
        label=_("Adopted on or before"),
        error_messages={
            "required": _("Enter the last adoption date"),
            "invalid": _("Enter the last adoption date as a real date"),
        },
    )
    outcomes = forms.MultipleChoiceField(
        label=_("Outcomes"),
        help_text=_("Proven reoffending is always measured: it is the headline."),
        widget=_Checkboxes,
        choices=list(OUTCOME_LABELS.items()),
        required=False,
    )
    data_end = forms.DateField(
        label=_("Follow-up counted up to (optional)"),
        help_text=_(
            "Each person is followed for one year from adoption, plus six months for offences to be proven. "
            "Cases whose follow-up ends after this date are left out. Leave it empty for the latest "
            "outcome in the records."
        ),
        required=False,
        error_messages={"invalid": _("Enter the follow-up end as a real date")},
    )

    def __init__(self, *args: Any, user: Any, schemes: list[Scheme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        scheme = self.fields["scheme"]
        assert isinstance(scheme, forms.ModelChoiceField)
        scheme.queryset = selectors.schemes_among(schemes)
        streams = self.fields["streams"]
        assert isinstance(streams, forms.MultipleChoiceField)
        streams.choices = choices(lists().streams)
        if not self.is_bound:
            self.initial.setdefault("streams", [code for code, _label in streams.choices])
            self.initial.setdefault("outcomes", ["proven_reoffending"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        start, end, data_end = data.get("adopted_from"), data.get("adopted_to"), data.get("data_end")
        for name, value in (("adopted_from", start), ("adopted_to", end), ("data_end", data_end)):
            if value is not None and value > today:
                self.add_error(name, _("The date must be today or in the past"))
        if start and end and end < start:
            self.add_error("adopted_to", _("The last adoption date must be on or after the first"))
        if self.errors or not (start and end and data.get("scheme") and data.get("streams")):
            return data
        cases = selectors.cases_adopted(
            self.user, scheme=data["scheme"], streams=data["streams"], adopted_from=start, adopted_to=end
        )
        adopted = selectors.adoption_dates(cases)
        if not adopted:
            self.add_error(
                "adopted_from",
                _("No case of %(scheme)s in those streams was adopted between %(start)s and %(end)s")
                % {"scheme": data["scheme"].name, "start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"},
            )
            return data
        reach = data_end or selectors.latest_outcome_date(self.user) or today
        complete = sum(1 for day in adopted if _months_after(day, FOLLOW_UP_MONTHS) <= reach)
        if complete < MIN_COHORT:
            self.add_error(
                "adopted_to",
                _(
                    "%(complete)d of the %(total)d cases adopted in this period have had their whole "
                    "follow-up by %(reach)s (18 months after adoption); an evaluation needs at least "
                    "%(minimum)d. Start the period earlier."
                )
                % {
                    "complete": complete,
                    "total": len(adopted),
                    "reach": f"{reach:%d/%m/%Y}",
                    "minimum": MIN_COHORT,
                },
            )
            return data
        pool = selectors.comparison_with_index_event(self.user, start, end)
        if pool < complete:
            self.add_error(
                "scheme",
                _(
                    "Only %(pool)d people of the scheme's area who were never adopted were sentenced, "
                    "cautioned or released between %(start)s and %(end)s; at least %(needed)d (one per "
                    "treated person) are needed for a comparison group"
                )
                % {
                    "pool": pool,
                    "start": f"{start:%d/%m/%Y}",
                    "end": f"{end:%d/%m/%Y}",
                    "needed": complete,
                },
            )
        return data
