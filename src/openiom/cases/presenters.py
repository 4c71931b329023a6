"""The cases pages' tables as text: pure functions of what the selectors read, with no request and no
database. Each label is looked up once per page rather than once per row: the template engine's
per-row cost decided whether the caseload met its latency target (docs/cases.md, Benchmark)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openiom.cases.lists import Lists, labels
from openiom.cases.models import (
    RESTRICTED_PATHWAYS,
    ContactOutcome,
    ListEntry,
    ListKind,
    Pathway,
    Plan,
    PlanVersion,
    ReferralStatus,
    RiskLevel,
)
from openiom.cases.selectors import CaseloadEntry, CasePageData
from openiom.people.models import person_name
from openiom.web.formats import DayFormat, choice_labels


@dataclass(frozen=True)
class CaseloadRow:
    href: str
    name: str
    tags: list[tuple[str, str]]  # (GOV.UK tag colour, text)
    risk: str
    risk_review: str
    next_review: str
    police_worker: str
    probation_worker: str


def caseload_rows(entries: Iterable[CaseloadEntry]) -> list[CaseloadRow]:
    risk_labels = choice_labels(RiskLevel)
    overdue, risk_due = _("Review overdue"), _("Risk review due")
    # One reverse() per page: the case links differ only in the id.
    before, _sep, after = reverse("cases:detail", args=[0]).rpartition("/0/")
    dates = DayFormat()
    found = []
    for entry in entries:
        flags = entry.attention
        tags = []
        if flags.overdue_reviews:
            tags.append(("red", overdue))
        if flags.referrals_waiting:
            n = flags.referrals_waiting
            tags.append(
                ("yellow", ngettext("%(n)d referral waiting", "%(n)d referrals waiting", n) % {"n": n})
            )
        if flags.missed_appointments:
            n = flags.missed_appointments
            tags.append(
                ("orange", ngettext("%(n)d missed appointment", "%(n)d missed appointments", n) % {"n": n})
            )
        if flags.risk_review_due:
            tags.append(("purple", risk_due))
        found.append(
            CaseloadRow(
                href=f"{before}/{entry.case_id}/{after}",
                name=person_name(entry.family_name, entry.given_names),
                tags=tags,
                risk=risk_labels.get(entry.risk_level, "–"),
                risk_review=_("review %(date)s") % {"date": dates(entry.risk_review_date)}
                if entry.risk_review_date
                else "",
                next_review=dates(entry.next_review, "–"),
                police_worker=entry.police_worker or "–",
                probation_worker=entry.probation_worker or "–",
            )
        )
    return found


@dataclass(frozen=True)
class ContactRow:
    on: str
    kind: str
    agency: str
    outcome: str


@dataclass(frozen=True)
class ReferralRow:
    service: str
    agency: str
    status: str
    outcome_reason: str
    dates: list[tuple[str, str]]  # (what happened, when)


class CaseTables(TypedDict):
    contact_rows: list[ContactRow]
    referral_rows: list[ReferralRow]
    timeline_rows: list[tuple[str, str, str]]


def case_tables(data: CasePageData, configured: Lists) -> CaseTables:
    """The case page's long tables: contacts, referrals and the timeline."""
    dates = DayFormat()
    services, contact_types = labels(configured.services), labels(configured.contact_types)
    outcomes = choice_labels(ContactOutcome)
    statuses = choice_labels(ReferralStatus)
    steps = [
        ("sent_on", _("Sent")),
        ("accepted_on", _("Accepted")),
        ("started_on", _("Started")),
        ("closed_on", _("Closed")),
    ]
    return {
        "contact_rows": [
            ContactRow(
                on=dates(c.on),
                kind=contact_types.get(c.contact_type, c.contact_type),
                agency=c.agency.name,
                outcome=outcomes.get(c.outcome, c.outcome),
            )
            for c in data["contacts"]
        ],
        "referral_rows": [
            ReferralRow(
                service=services.get(r.service, r.service),
                agency=r.agency.name,
                status=statuses.get(r.status, r.status),
                outcome_reason=r.outcome_reason,
                dates=[(text, dates(getattr(r, name))) for name, text in steps if getattr(r, name)],
            )
            for r in data["referrals"]
        ],
        "timeline_rows": [(dates(row.on), row.kind, row.text) for row in data["timeline"]],
    }


def plan_snapshot_rows(plan: Plan, latest: PlanVersion | None, *, health_open: bool) -> list[tuple[Any, Any]]:
    """The plan as last saved, for the conflict page; health actions only while health is open."""
    rows: list[tuple[Any, Any]] = [(_("Version"), plan.version), (_("Status"), plan.get_status_display())]
    if latest:
        rows += [
            (_("Requirement"), f"{r['text']} ({r['due_date']})") for r in latest.snapshot["requirements"]
        ]
        rows += [
            (_("Action"), f"{a['text']} – {a['owner_agency']} ({a['due_date']}, {a['status']})")
            for a in latest.snapshot["actions"]
            if health_open or a.get("pathway") not in RESTRICTED_PATHWAYS
        ]
    return rows


def field_value(field: forms.Field, value: Any) -> Any:
    """A form value as the conflict page shows it."""
    if isinstance(field, forms.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return dict(field.choices).get(value, value)  # type: ignore[arg-type]  # Django types choices loosely
    return value if value not in (None, "") else "–"


def form_fields(form: forms.Form, record: Any, names: Iterable[str]) -> list[tuple[Any, Any]]:
    """The record's saved values of the form's fields `names`, labelled as the form labels them."""
    return [(form.fields[n].label, field_value(form.fields[n], getattr(record, n, ""))) for n in names]


def list_kinds(entries: list[ListEntry], share_choices: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """The configurable lists page: each kind of list with its entries."""
    pathways, shares = dict(Pathway.choices), dict(share_choices)
    add = {
        ListKind.STREAM: _("Add a cohort stream"),
        ListKind.SERVICE: _("Add a service"),
        ListKind.CONTACT_TYPE: _("Add a contact type"),
        ListKind.ACTION_TYPE: _("Add a plan action type"),
    }
    return [
        {
            "kind": kind,
            "label": kind.label,
            "add": add[kind],
            "entries": [
                {
                    "entry": e,
                    "pathway": pathways.get(e.pathway, "–"),
                    "shares": [shares.get(g, g) for g in e.field_groups],
                }
                for e in entries
                if e.kind == kind
            ],
        }
        for kind in ListKind
    ]
