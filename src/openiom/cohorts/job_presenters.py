"""The results and progress of a cohort analysis job as the page shows them: charts drawn from the
job's summary (the same numbers are in the page's tables) and translated step names."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openiom.cohorts.charts import bar_chart, lorenz_chart
from openiom.cohorts.fairness_presenters import fairness_overview, fairness_sections

STEP_LABELS = {
    "reading the data": gettext_lazy("copying the people you may see into the analysis engine"),
    "identifying": gettext_lazy("selecting people with each definition"),
    "comparing": gettext_lazy("comparing the definitions"),
    "stability": gettext_lazy("checking year-on-year stability"),
    "concentration": gettext_lazy("measuring how concentrated offending is"),
    "fairness": gettext_lazy("comparing who each definition selects by ethnicity, sex and age"),
    "writing the results": gettext_lazy("writing the results"),
}


def charts(summary: dict[str, Any]) -> dict[str, Any]:
    spread = summary["concentration"]
    return {
        "fairness_sections": fairness_sections(summary),
        "fairness_overview": fairness_overview(summary),
        "sizes_chart": bar_chart(
            ident="sizes",
            title=_("Number of people each definition selects on %(date)s") % {"date": summary["as_of"]},
            description=_("Bar chart; the same numbers are in the table below."),
            bars=[(s["title"], s["size"], f"{s['size']:,}") for s in summary["sizes"]],
        ),
        "stability_chart": bar_chart(
            ident="stability",
            title=_("Share of each cohort selected again 12 months later"),
            description=_("Bar chart; the same numbers are in the table below."),
            bars=[
                (s["title"], s["retained_percent"], f"{s['retained_percent']:.0f}%")
                for s in summary["stability"]
            ],
            secondary=True,
        ),
        "lorenz_chart": lorenz_chart(
            ident="lorenz",
            title=_("Lorenz curve of proven offences among offenders"),
            description=_(
                "The further the curve bows below the diagonal, the more offences are committed by few people. "
                "Key figures are in the table beside it."
            ),
            points=[(x, y) for x, y in spread["lorenz"]],
            x_label=_("Share of offenders, fewest offences first"),
            y_label=_("Share of proven offences"),
        ),
    }
