"""Forms: they check shape and types; the rules live in rules.py and services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from openiom.access.models import AgencyKind
from openiom.cases.forms import DATE, WorkerChoiceField, choice_field, model_field
from openiom.cases.lists import choices, lists
from openiom.workforce import selectors
from openiom.workforce.catalogue import LANE_KINDS
from openiom.workforce.models import CaseFlag, Course


class RecordForm(forms.Form):
    worker = WorkerChoiceField(
        label=_("Worker"), queryset=None, error_messages={"required": _("Choose the worker")}
    )
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.none(), error_messages={"required": _("Choose the course")}
    )
    completed_on = forms.DateField(
        label=_("Completed on"),
        widget=DATE,
        error_messages={
            "required": _("Enter the date the course was completed"),
            "invalid": _("Enter a real date, like 2026-03-27"),
        },
    )
    evidence = forms.CharField(
        label=_("Evidence reference"),
        help_text=_("For example the certificate number or the learning system's record."),
        max_length=100,
        required=False,
    )

    def __init__(self, *args: Any, workers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_field(self, "worker")
        field.queryset = selectors.users_with_ids([w.pk for w in workers])
        model_field(self, "course").queryset = selectors.courses(active_only=True)


class CourseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.SlugField(
        label=_("Code"),
        help_text=_("Letters, numbers and underscores. Stored on training records: it cannot change later."),
        max_length=40,
        required=False,
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"),
        help_text=_("Leave blank if a completion never expires."),
        required=False,
        error_messages={"invalid": _("Enter a whole number of months")},
    )
    flags = forms.MultipleChoiceField(
        label=_("Case flags that need this course"),
        choices=CaseFlag.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    streams = forms.MultipleChoiceField(
        label=_("Cohort streams that need this course"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    active = forms.BooleanField(label=_("Offered"), required=False, initial=True)

    def __init__(self, *args: Any, new: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "streams").choices = choices(lists().streams)
        if new:
            del self.fields["version"], self.fields["active"]
            self.fields["code"].required = True
            self.fields["code"].error_messages["required"] = _("Enter the course's code")
        else:
            del self.fields["code"]


class LanesForm(forms.Form):
    """One set of agency-kind boxes per offered type of action."""

    def __init__(self, *args: Any, mapping: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = dict(AgencyKind.choices)
        for item in lists().action_types:
            if not item.active:
                continue
            self.fields[item.code] = forms.MultipleChoiceField(
                label=gettext(item.label),
                choices=[(k, kinds[k]) for k in LANE_KINDS],
                widget=forms.CheckboxSelectMultiple,
                required=False,
                initial=mapping.get(item.code, []),
            )
