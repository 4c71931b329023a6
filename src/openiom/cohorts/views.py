"""The analyst page: compare selection definitions, their stability and offending concentration
on the application database, each as a chart with the same numbers in a table."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openiom.access.policy import requires
from openiom.accounts.types import AuthenticatedRequest
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record
from openiom.cohorts.charts import bar_chart, lorenz_chart

if TYPE_CHECKING:
    from openiom.accounts.models import User

# The cohort engine (Ibis, DuckDB, pandas) is imported inside the functions that run it: a web
# worker loads every view module before its first request, and the engine took seconds to load.


class AnalysisForm(forms.Form):
    as_of = forms.DateField(
        label=gettext_lazy("As-of date"),
        help_text=gettext_lazy("Events dealt with after this date are ignored. For example 2026-06-30"),
        input_formats=["%Y-%m-%d"],
    )
    definitions = forms.MultipleChoiceField(
        label=gettext_lazy("Selection definitions"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        from openiom.cohorts.definition_selectors import analysable_definitions

        super().__init__(*args, **kwargs)
        field = self.fields["definitions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(d.id, d.title) for d in analysable_definitions(user=user)]


@requires("cohort.analyse")
def index(request: AuthenticatedRequest) -> HttpResponse:
    from openiom.cohorts.engine import SourceError

    today = timezone.localdate()
    data = request.GET if "as_of" in request.GET else None
    form = AnalysisForm(data, initial={"as_of": today.isoformat()}, user=request.user)
    context: dict[str, Any] = {"form": form, "as_of_value": request.GET.get("as_of", today.isoformat())}
    if form.is_bound and form.is_valid():
        try:
            context |= _analyse(request.user, form.cleaned_data["as_of"], form.cleaned_data["definitions"])
            audit_record(
                user=request.user,
                action=AuditAction.COHORT_ANALYSE,
                detail={
                    "as_of": form.cleaned_data["as_of"].isoformat(),
                    "definitions": form.cleaned_data["definitions"],
                    "snapshot": context["snapshot_id"],
                },
            )
        except SourceError as exc:
            context["source_error"] = str(exc)
    return render(request, "cohorts/index.html", context)


def _analyse(user: User, as_of: dt.date, chosen: list[str]) -> dict[str, Any]:
    from openiom.cohorts.definition_selectors import analysable_definitions
    from openiom.cohorts.engine import (
        compare_results,
        concentration,
        identify,
        stability,
    )
    from openiom.cohorts.engine.dates import minus_months
    from openiom.cohorts.selectors import app_database_source

    definitions = [d for d in analysable_definitions(user=user) if not chosen or d.id in chosen]
    source = app_database_source(user=user)
    results = [identify(source, d, as_of, evidence=False) for d in definitions]
    comparison = compare_results(results)
    titles = {d.label: d.title for d in definitions}
    sizes = [
        {"label": label, "title": titles[label], "size": size, "unique": len(comparison.unique[label])}
        for label, size in comparison.sizes.items()
    ]
    overlaps = [o | {"a_title": titles[o["a"]], "b_title": titles[o["b"]]} for o in comparison.overlaps]
    # Selected at T and T + 12 months, with T early enough that a further offence committed in the
    # year has had the 6-month waiting period to be proven by the as-of date.
    start = minus_months(as_of, 18)
    churn = [stability(source, d, start, months=12, waiting_months=6) for d in definitions]
    spread = concentration(source, as_of)
    return {
        "analysed": True,
        "as_of": as_of,
        "snapshot_id": source.snapshot_id,
        "reference": source.snapshot.get("reference"),
        "sizes": sizes,
        "overlaps": overlaps,
        "sizes_chart": bar_chart(
            ident="sizes",
            title=_("Number of people each definition selects on %(date)s") % {"date": as_of.isoformat()},
            description=_("Bar chart; the same numbers are in the table below."),
            bars=[(titles[label], size, f"{size:,}") for label, size in comparison.sizes.items()],
        ),
        "stability": [
            {
                "title": titles[s.definition],
                "row": s,
                "retained": 100 * s.retained_share,
                "desisted": 100 * s.desisted_share,
            }
            for s in churn
        ],
        "stability_start": start,
        "stability_end": churn[0].end if churn else None,
        "stability_chart": bar_chart(
            ident="stability",
            title=_("Share of each cohort selected again 12 months later"),
            description=_("Bar chart; the same numbers are in the table below."),
            bars=[
                (titles[s.definition], 100 * s.retained_share, f"{100 * s.retained_share:.0f}%")
                for s in churn
            ],
            secondary=True,
        ),
        "concentration": spread,
        "top_shares": [(pct, 100 * share) for pct, share in spread.top_shares.items()],
        "long_career_percent": 100 * spread.long_career_share,
        "lorenz_chart": lorenz_chart(
            ident="lorenz",
            title=_("Lorenz curve of proven offences among offenders"),
            description=_(
                "The further the curve bows below the diagonal, the more offences are committed by few people. "
                "Key figures are in the table beside it."
            ),
            points=spread.lorenz,
            x_label=_("Share of offenders, fewest offences first"),
            y_label=_("Share of proven offences"),
        ),
    }
