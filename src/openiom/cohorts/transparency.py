"""A selection definition's transparency record, in the sections of the UK Algorithmic Transparency
Recording Standard (ATRS): tier 1, a short summary for the public; tier 2, owner and responsibility,
description and rationale, decision-making process and human oversight, data used, risks and
mitigations, and the disproportionality figures (docs/fairness.md).

`generated_content` drafts every section from the definition itself; a coordinator edits the text
before publishing it. The figures are not typed in: they come from a saved cohort analysis, and
only as that analysis stored them (suppressed counts are not stored).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openiom.cohorts.definition_presenters import rule_lines
from openiom.cohorts.engine.definitions import Definition

STANDARD = "UK Algorithmic Transparency Recording Standard"
# (key, tier, heading): the order of the record.
SECTIONS: tuple[tuple[str, int, Any], ...] = (
    ("summary", 1, gettext_lazy("What the tool is")),
    ("how_it_works", 1, gettext_lazy("How the tool works")),
    ("why_used", 1, gettext_lazy("Why the tool is used")),
    ("contact", 1, gettext_lazy("Contact")),
    ("owner", 2, gettext_lazy("Owner and responsibility")),
    ("rationale", 2, gettext_lazy("Description and rationale")),
    ("oversight", 2, gettext_lazy("Decision-making process and human oversight")),
    ("data", 2, gettext_lazy("Data used")),
    ("risks", 2, gettext_lazy("Risks and mitigations")),
    ("figures_note", 2, gettext_lazy("Disproportionality: what the figures show")),
)
SECTION_KEYS = tuple(key for key, _tier, _heading in SECTIONS)


def generated_content(definition: Definition, scheme_name: str) -> dict[str, str]:
    """A first draft of every section, from the definition and the way OpenIOM uses it."""
    rule = "\n".join("  " * line.depth + line.text for line in rule_lines(definition))
    return {
        "summary": _(
            "%(title)s: a rule that lists people as candidates for Integrated Offender Management "
            "(IOM) in %(scheme)s from their recorded offending. %(description)s"
        )
        % {"title": definition.title, "scheme": scheme_name, "description": definition.description or ""},
        "how_it_works": _(
            "On a chosen date the rule is applied to the police and probation records the scheme holds. "
            "Everyone it selects is listed with the reasons: the numbers behind each part of the rule and "
            "the events counted. The rule:\n%(rule)s"
        )
        % {"rule": rule},
        "why_used": _(
            "To find the people who cause the most neighbourhood crime so that police, probation and "
            "partners can manage them together and offer the help that stops their offending. Where the "
            "rule comes from: %(source)s"
        )
        % {"source": definition.source},
        "contact": _("The IOM coordinator of %(scheme)s.") % {"scheme": scheme_name},
        "owner": _(
            "%(scheme)s. The IOM coordinator is responsible for the definition and for this record. "
            "Definition %(label)s (SHA-256 %(sha)s)."
        )
        % {"scheme": scheme_name, "label": definition.label, "sha": definition.sha256},
        "rationale": _(
            "%(description)s Source: %(source)s. Selection definitions are somewhat arbitrary: several "
            "are compared side by side on the same data, for their size, overlap, stability and who they "
            "select, before one is adopted."
        )
        % {"description": definition.description or definition.title, "source": definition.source},
        "oversight": _(
            "The rule only lists candidates. The scheme's selection panel considers every candidate and "
            "records its decision and rationale; no one is adopted, or refused help, by the rule alone. "
            "People are reviewed and de-selected by the panel."
        ),
        "data": _(
            "People's date of birth and sex, and their offending events (arrests, charges, convictions, "
            "cautions and out-of-court disposals, with offence and outcome dates and offence codes), from "
            "the agencies' systems under information-sharing agreements, with the offence reference data. "
            "Ethnicity is not used by the rule: it is used only to measure whom the rule selects."
        ),
        "risks": _(
            "Recorded offending reflects policing and recording as well as offending, so counts of previous "
            "offences and scores such as OGRS3 carry forward any disparity in who is stopped, arrested or "
            "charged. Mitigations: selection rates by ethnicity, sex and age are compared against the "
            "offending population before adoption and at each review; the panel decides every case; counts "
            "below the disclosure threshold are never published."
        ),
        "figures_note": _(
            "Selection rates by group among the people with a proven offence in the look-back window, as "
            "ratios to the largest group, with 95% intervals. Interpretation to be added by the coordinator."
        ),
    }


def record_document(
    *,
    definition: Definition,
    scheme_name: str,
    content: dict[str, str],
    figures: dict[str, Any] | None,
    revision: int | None,
    status: str,
    published_at: str | None,
) -> dict[str, Any]:
    """The record as JSON: its sections by tier, the definition it describes, the figures."""
    headings = {key: str(heading) for key, _tier, heading in SECTIONS}

    def tier(number: int) -> list[dict[str, str]]:
        return [
            {"key": key, "heading": headings[key], "text": content.get(key, "")}
            for key, level, _h in SECTIONS
            if level == number
        ]

    return {
        "standard": STANDARD,
        "name": definition.title,
        "organisation": scheme_name,
        "definition": {"id": definition.id, "version": definition.version, "sha256": definition.sha256},
        "revision": revision,
        "status": status,
        "published_at": published_at,
        "tier_1": tier(1),
        "tier_2": tier(2),
        "disproportionality": figures,
    }
