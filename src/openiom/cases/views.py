"""Selection panel, caseloads, the case page and the partner's referral view. Thin: see services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from openiom.access import selectors as access
from openiom.access.policy import has_permission, requires
from openiom.access.restricted import RevealForm, restricted_open, unlocked_groups
from openiom.access.selectors import user_schemes
from openiom.audit.services import audit_record
from openiom.cases import selectors, services
from openiom.cases.config import Lists, choices, label, labels, lists
from openiom.cases.forms import (
    SHARE_CHOICES,
    ActionForm,
    ActionStatusForm,
    ContactForm,
    DecisionForm,
    ExitForm,
    ListEntryForm,
    ListEntryNewForm,
    NeedForm,
    ReferralUpdateForm,
    ReferToPanelForm,
    RequirementForm,
    ReviewForm,
    RiskForm,
    ServiceReferralForm,
    TransferForm,
)
from openiom.cases.models import (
    RESTRICTED_PATHWAYS,
    ActionStatus,
    Case,
    CaseStatus,
    ContactOutcome,
    ListKind,
    Need,
    Pathway,
    Plan,
    ReferralStatus,
    RiskLevel,
)
from openiom.people.models import person_name
from openiom.people.views import visible_person_or_refuse
from openiom.performance import selectors as performance_selectors
from openiom.web.formats import DayFormat, choice_labels

HEALTH = access.HEALTH


def _case_or_404(request: HttpRequest, case_id: int, action: str = "case.view") -> Case:
    case = selectors.case_get(user=request.user, case_id=case_id, action=action)
    if case is None:
        raise Http404
    return case


def _health_open(request: HttpRequest, case: Case) -> bool:
    grants = access.person_access(request.user, case.person)
    return HEALTH in (unlocked_groups(request, case.person_id) & grants.restricted_allowed)


def _form_page(
    request: HttpRequest,
    *,
    title: str,
    form: forms.Form,
    case: Case | None = None,
    button: str,
    back: str,
    caption: str = "",
    intro: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "cases/form_page.html",
        {
            "title": title,
            "form": form,
            "case": case,
            "button": button,
            "back": back,
            "caption": caption,
            "intro": intro,
        },
        status=status,
    )


def _apply_errors(form: forms.Form, error: services.CaseError) -> None:
    for name, message in error.errors.items():
        form.add_error(name if name in form.fields else None, message)


def _conflict(
    request: HttpRequest, *, caption: str, form: forms.Form, saved: list[tuple[Any, Any]], back: str
) -> HttpResponse:
    """Someone saved first: show their saved version beside what this user tried to save."""
    yours = [
        (form.fields[name].label, _display(form.fields[name], value))
        for name, value in form.cleaned_data.items()
        if name != "version"
    ]
    return render(
        request,
        "cases/conflict.html",
        {"caption": caption, "yours": yours, "saved": saved, "back": back},
        status=409,
    )


def _display(field: forms.Field, value: Any) -> Any:
    if isinstance(field, forms.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return dict(field.choices).get(value, value)  # type: ignore[arg-type]
    return value if value not in (None, "") else "–"


# Selection panel ---------------------------------------------------------------------------------


@requires("panel.view")
def panel(request: HttpRequest) -> HttpResponse:
    queue = selectors.panel_queue(user=request.user)
    audit_record(user=request.user, action="panel.view", detail={"people": len(queue)})
    return render(
        request,
        "cases/panel.html",
        {"queue": queue, "can_decide": has_permission(request.user, "panel.decide")},
    )


@requires("panel.view")
def panel_person(request: HttpRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id, "panel.view")
    data = selectors.panel_person(user=request.user, person=person)
    audit_record(
        user=request.user, action="panel.view", object_type="person", object_id=person.pk, fields=["identity"]
    )
    return render(
        request,
        "cases/panel_person.html",
        {
            **data,
            "person": person,
            "can_decide": has_permission(request.user, "panel.decide"),
            "can_refer": has_permission(request.user, "panel.refer"),
        },
    )


def _user_scheme_for(request: HttpRequest, person_id: int) -> Any:
    """The scheme a panel action applies to: the person's case's scheme, else the user's first scheme."""
    schemes = user_schemes(request.user)
    case = Case.objects.filter(person_id=person_id, scheme__in=schemes).select_related("scheme").first()
    scheme = case.scheme if case else schemes.order_by("name").first()
    if scheme is None:
        raise PermissionDenied(_("You are not a member of an IOM scheme."))
    return scheme


@requires("panel.refer")
def panel_refer(request: HttpRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id, "panel.refer")
    form = ReferToPanelForm(request.POST or None)
    back = reverse("cases:panel-person", args=[person.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.panel_refer(
                user=request.user,
                scheme=_user_scheme_for(request, person.pk),
                person=person,
                reason=form.cleaned_data["reason"],
                mappa_level=form.cleaned_data["mappa_level"],
            )
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s has been referred to the selection panel.") % {"name": person}
            )
            return redirect(back)
    return _form_page(
        request,
        title=_("Refer to the selection panel"),
        caption=str(person),
        form=form,
        button=_("Refer"),
        back=back,
    )


@requires("panel.decide")
def panel_decide(request: HttpRequest, person_id: int) -> HttpResponse:
    person = visible_person_or_refuse(request, person_id, "panel.decide")
    scheme = _user_scheme_for(request, person.pk)
    form = DecisionForm(request.POST or None, scheme=scheme)
    case = Case.objects.filter(scheme=scheme, person=person).first()
    back = reverse("cases:panel-person", args=[person.pk])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        candidate = person.cohort_candidacies.order_by("-run__created_at").first()
        try:
            case = services.panel_decide(
                user=request.user,
                scheme=scheme,
                person=person,
                decision=data["decision"],
                rationale=data["rationale"],
                mappa_override=data["mappa_override"],
                stream=data["stream"],
                lead_agency=data["lead_agency"],
                police_worker=data["police_worker"],
                probation_worker=data["probation_worker"],
                start_date=data["start_date"],
                candidate=candidate,
            )
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The panel's decision has been recorded."))
            if case.status == CaseStatus.ACTIVE:
                return redirect("cases:detail", case_id=case.pk)
            return redirect(back)
    intro = ""
    if case is not None and case.mappa_level:
        intro = _(
            "This person is managed under MAPPA (level %(level)d). Adopting them needs an override reason."
        ) % {"level": case.mappa_level}
    return _form_page(
        request,
        title=_("Record the panel's decision"),
        caption=str(person),
        form=form,
        button=_("Save decision"),
        back=back,
        intro=intro,
    )


# Caseload ----------------------------------------------------------------------------------------


@requires("caseload.view")
def caseload(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("mine") == "1"
    stream = request.GET.get("stream", "")
    attention_only = request.GET.get("attention") == "1"
    sort = request.GET.get("sort", "attention")
    if sort not in selectors.CASELOAD_SORTS:
        sort = "attention"
    entries = selectors.caseload(
        user=request.user, mine=mine, stream=stream, attention_only=attention_only, sort=sort
    )
    page = Paginator(entries, selectors.CASELOAD_PAGE).get_page(request.GET.get("page"))
    rows = _caseload_rows(list(page.object_list))
    audit_record(user=request.user, action="caseload.view", detail={"page": page.number, "shown": len(rows)})
    query = request.GET.copy()
    query.pop("sort", None)
    query.pop("page", None)
    return render(
        request,
        "cases/caseload.html",
        {
            "page": page,
            "rows": rows,
            "mine": mine,
            "stream": stream,
            "attention_only": attention_only,
            "sort": sort,
            "streams": choices(lists().streams),
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "sorts": [
                ("attention", _("Needs attention")),
                ("name", _("Name")),
                ("risk", _("Risk")),
                ("review", _("Next review")),
            ],
        },
    )


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


def _caseload_rows(entries: list[selectors.CaseloadEntry]) -> list[CaseloadRow]:
    """The caseload table as text. Prepared here, with each label translated once per page rather
    than once per row: the template engine's per-row cost decided whether the page met its latency
    target (docs/cases.md, Benchmark)."""
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


# The case ----------------------------------------------------------------------------------------


@requires("case.view")
def detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    health_open = _health_open(request, case)
    grants = access.person_access(request.user, case.person)
    data = selectors.case_page(case=case, health_open=health_open)
    configured = lists()
    audit_record(
        user=request.user,
        action="case.view",
        object_type="case",
        object_id=case.pk,
        fields=sorted(grants.field_groups | ({HEALTH} if health_open else set())),
        detail={"person": case.person_id},
    )
    return render(
        request,
        "cases/detail.html",
        {
            **data,
            **_case_tables(data, configured),
            "case": case,
            "health_open": health_open,
            "can_edit": has_permission(request.user, "case.edit"),
            "can_decide": has_permission(request.user, "panel.decide"),
            "can_reveal": HEALTH in grants.restricted_allowed,
            "can_break_glass": grants.emergency_allowed and HEALTH not in grants.restricted_allowed,
            "reveal_form": RevealForm(),
            "stream_label": label(configured.streams, case.stream),
            "today": timezone.localdate(),
            "performance_panel": performance_selectors.case_panel(case),
        },
    )


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


def _case_tables(data: dict[str, Any], configured: Lists) -> dict[str, Any]:
    """The case page's long tables as text, each label looked up once per page, as the caseload's."""
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


@requires("case.view")
@require_POST
def reveal_health(request: HttpRequest, case_id: int) -> HttpResponse:
    """The reveal-with-purpose flow of the person page, returning to the case."""
    case = _case_or_404(request, case_id)
    problem = restricted_open(request, case.person, HEALTH)
    if problem:
        messages.error(request, problem)
    return redirect(reverse("cases:detail", args=[case.pk]) + "#needs")


def _case_fields(case: Case, names: list[str], form: forms.Form) -> list[tuple[Any, Any]]:
    return [(form.fields[n].label, _display(form.fields[n], getattr(case, n))) for n in names]


@requires("case.edit")
def risk(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id, "case.edit")
    initial = {n: getattr(case, n) for n in services.RISK_FIELDS} | {"version": case.version}
    form = RiskForm(request.POST or None, initial=initial)
    back = reverse("cases:detail", args=[case.pk])
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.case_risk_update(
                user=request.user, case=case, version=form.cleaned_data["version"], **values
            )
        except services.Conflict as conflict:
            return _conflict(
                request,
                caption=str(case.person),
                form=form,
                back=back,
                saved=_case_fields(conflict.current, list(services.RISK_FIELDS), form),
            )
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Risk and flags saved."))
            return redirect(back)
    return _form_page(
        request,
        title=_("Risk of serious harm and flags"),
        caption=str(case.person),
        form=form,
        case=case,
        button=_("Save"),
        back=back,
    )


@requires("case.edit")
def need(request: HttpRequest, case_id: int, pathway: str) -> HttpResponse:
    case = _case_or_404(request, case_id, "case.edit")
    if pathway not in Pathway.values:
        raise Http404
    back = reverse("cases:detail", args=[case.pk]) + "#needs"
    if pathway in RESTRICTED_PATHWAYS and not _health_open(request, case):
        messages.error(
            request, _("Open the restricted health information, stating why, before recording this need.")
        )
        return redirect(back)
    existing = Need.objects.filter(case=case, pathway=pathway).first()
    initial: dict[str, Any] = {"version": case.version}
    if existing:
        initial |= {
            "level": existing.level,
            "notes": existing.notes,
            "no_action_reason": existing.no_action_reason,
        }
    form = NeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.need_save(
                user=request.user,
                case=case,
                version=data["version"],
                pathway=pathway,
                level=data["level"],
                notes=data["notes"],
                no_action_reason=data["no_action_reason"],
            )
        except services.Conflict as conflict:
            current = Need.objects.filter(case=case, pathway=pathway).first()
            saved = [
                (form.fields[n].label, _display(form.fields[n], getattr(current, n, "")))
                for n in ("level", "notes", "no_action_reason")
            ]
            saved.append((_("Case last saved"), conflict.current.updated_at))
            return _conflict(request, caption=str(case.person), form=form, back=back, saved=saved)
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Need saved."))
            return redirect(back)
    return _form_page(
        request,
        title=_("Need: %(pathway)s") % {"pathway": Pathway(pathway).label},
        caption=str(case.person),
        form=form,
        case=case,
        button=_("Save need"),
        back=back,
    )


# Plan --------------------------------------------------------------------------------------------


def _plan_or_404(case: Case) -> Plan:
    plan = Plan.objects.filter(case=case).first()
    if plan is None:
        raise Http404
    return plan


def _plan_page(
    request: HttpRequest,
    case: Case,
    plan: Plan,
    *,
    requirement_form: forms.Form | None = None,
    action_form: forms.Form | None = None,
    activate_errors: list[str] | None = None,
) -> HttpResponse:
    data = selectors.plan_page(plan=plan)
    audit_record(
        user=request.user,
        action="case.view",
        object_type="case",
        object_id=case.pk,
        fields=["plan"],
        detail={"person": case.person_id},
    )
    ctx = {
        **data,
        "case": case,
        "plan": plan,
        "can_edit": has_permission(request.user, "case.edit"),
        "requirement_form": requirement_form or RequirementForm(initial={"version": plan.version}),
        "action_form": action_form or ActionForm(initial={"version": plan.version}, scheme=case.scheme),
        "activate_errors": activate_errors or [],
        "action_statuses": ActionStatus.choices,
    }
    return render(request, "cases/plan.html", ctx)


@requires("case.view")
def plan(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    return _plan_page(request, case, _plan_or_404(case))


def _plan_snapshot_rows(plan: Plan) -> list[tuple[Any, Any]]:
    latest = plan.versions.order_by("-number").first()
    rows: list[tuple[Any, Any]] = [(_("Version"), plan.version), (_("Status"), plan.get_status_display())]
    if latest:
        rows += [
            (_("Requirement"), f"{r['text']} ({r['due_date']})") for r in latest.snapshot["requirements"]
        ]
        rows += [
            (_("Action"), f"{a['text']} – {a['owner_agency']} ({a['due_date']}, {a['status']})")
            for a in latest.snapshot["actions"]
        ]
    return rows


def _plan_post(
    request: HttpRequest,
    case_id: int,
    form_name: str,
    build: Callable[[Case, Plan], forms.Form],
    save: Callable[[Case, Plan, dict[str, Any]], Any],
) -> HttpResponse:
    case = _case_or_404(request, case_id, "case.edit")
    plan_ = _plan_or_404(case)
    form = build(case, plan_)
    back = reverse("cases:plan", args=[case.pk])
    if form.is_valid():
        try:
            save(case, plan_, form.cleaned_data)
        except services.Conflict:
            return _conflict(
                request, caption=str(case.person), form=form, back=back, saved=_plan_snapshot_rows(plan_)
            )
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Plan saved as a new version."))
            return redirect(back)
    plan_.refresh_from_db()
    if form_name == "status_form":
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    if form_name == "action_form":
        return _plan_page(request, case, plan_, action_form=form)
    return _plan_page(request, case, plan_, requirement_form=form)


@requires("case.edit")
@require_POST
def plan_requirement(request: HttpRequest, case_id: int) -> HttpResponse:
    return _plan_post(
        request,
        case_id,
        "requirement_form",
        lambda case, plan_: RequirementForm(request.POST),
        lambda case, plan_, d: services.plan_add_requirement(
            user=request.user, plan=plan_, version=d["version"], text=d["text"], due_date=d["due_date"]
        ),
    )


@requires("case.edit")
@require_POST
def plan_action(request: HttpRequest, case_id: int) -> HttpResponse:
    return _plan_post(
        request,
        case_id,
        "action_form",
        lambda case, plan_: ActionForm(request.POST, scheme=case.scheme),
        lambda case, plan_, d: services.plan_add_action(
            user=request.user,
            plan=plan_,
            version=d["version"],
            text=d["text"],
            owner_agency=d["owner_agency"],
            owner_worker=d["owner_worker"],
            due_date=d["due_date"],
            pathway=d["pathway"],
            victim_safety=d["victim_safety"],
        ),
    )


@requires("case.edit")
@require_POST
def plan_action_status(request: HttpRequest, case_id: int, action_id: int) -> HttpResponse:
    return _plan_post(
        request,
        case_id,
        "status_form",
        lambda case, plan_: ActionStatusForm(request.POST),
        lambda case, plan_, d: services.plan_action_status(
            user=request.user, plan=plan_, version=d["version"], action_id=action_id, status=d["status"]
        ),
    )


@requires("case.edit")
@require_POST
def plan_activate(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id, "case.edit")
    plan_ = _plan_or_404(case)
    form = RequirementForm(
        {"version": request.POST.get("version", ""), "text": "-", "due_date": "2000-01-01"}
    )
    back = reverse("cases:plan", args=[case.pk])
    if not form.is_valid():
        raise Http404
    try:
        services.plan_activate(user=request.user, plan=plan_, version=form.cleaned_data["version"])
    except services.Conflict:
        return render(
            request,
            "cases/conflict.html",
            {
                "case": case,
                "yours": [(_("Change"), _("Make the plan active"))],
                "saved": _plan_snapshot_rows(plan_),
                "back": back,
            },
            status=409,
        )
    except services.CaseError as error:
        return _plan_page(request, case, plan_, activate_errors=list(error.errors.values()))
    messages.success(request, _("The plan is active."))
    return redirect(back)


# Referrals, contacts, reviews, transfer, exit ---------------------------------------------------


@requires("case.edit")
def referral_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id, "case.edit")
    form = ServiceReferralForm(request.POST or None, scheme=case.scheme)
    back = reverse("cases:detail", args=[case.pk])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.referral_send(
                user=request.user, case=case, service=d["service"], agency=d["agency"], reason=d["reason"]
            )
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Referral sent."))
            return redirect(back + "#referrals")
    return _form_page(
        request,
        title=_("Refer to a service"),
        caption=str(case.person),
        form=form,
        case=case,
        button=_("Send referral"),
        back=back,
        intro=_(
            "The partner agency will see only what the service needs, and only while the referral is open."
        ),
    )


@requires("case.edit")
def contact_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id, "case.edit")
    form = ContactForm(request.POST or None, scheme=case.scheme, initial={"agency": request.user.agency_id})  # type: ignore[union-attr]
    back = reverse("cases:detail", args=[case.pk])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.contact_record(
                user=request.user,
                case=case,
                contact_type=d["contact_type"],
                agency=d["agency"],
                on=d["on"],
                outcome=d["outcome"],
                notes=d["notes"],
            )
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Contact recorded."))
            return redirect(back + "#contacts")
    return _form_page(
        request,
        title=_("Record a contact or appointment"),
        caption=str(case.person),
        form=form,
        case=case,
        button=_("Save contact"),
        back=back,
    )


@requires("case.edit")
def review(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id, "case.edit")
    form = ReviewForm(request.POST or None)
    back = reverse("cases:detail", args=[case.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.review_complete(
                user=request.user,
                case=case,
                notes=form.cleaned_data["notes"],
                next_due=form.cleaned_data["next_due"],
            )
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Review recorded."))
            return redirect(back)
    return _form_page(
        request,
        title=_("Record a case review"),
        caption=str(case.person),
        form=form,
        case=case,
        button=_("Save review"),
        back=back,
    )


@requires("case.edit")
def transfer(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id, "case.edit")
    initial = {
        "version": case.version,
        "scheme": case.scheme_id,
        "police_worker": case.police_worker_id,
        "probation_worker": case.probation_worker_id,
    }
    form = TransferForm(request.POST or None, initial=initial, schemes=user_schemes(request.user))
    back = reverse("cases:detail", args=[case.pk])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.case_transfer(
                user=request.user,
                case=case,
                version=d["version"],
                scheme=d["scheme"],
                police_worker=d["police_worker"],
                probation_worker=d["probation_worker"],
                reason=d["reason"],
            )
        except services.Conflict as conflict:
            return _conflict(
                request,
                caption=str(case.person),
                form=form,
                back=back,
                saved=_case_fields(conflict.current, ["scheme", "police_worker", "probation_worker"], form),
            )
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Case transferred."))
            return redirect(back)
    return _form_page(
        request,
        title=_("Transfer the case"),
        caption=str(case.person),
        form=form,
        case=case,
        button=_("Transfer"),
        back=back,
    )


@requires("panel.decide")
def exit_case(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id, "panel.decide")
    form = ExitForm(request.POST or None, initial={"version": case.version, "on": timezone.localdate()})
    back = reverse("cases:detail", args=[case.pk])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.case_exit(
                user=request.user, case=case, version=d["version"], reason=d["reason"], on=d["on"]
            )
        except services.Conflict as conflict:
            return _conflict(
                request,
                caption=str(case.person),
                form=form,
                back=back,
                saved=[
                    (_("Status"), conflict.current.get_status_display()),
                    (_("Exit reason"), conflict.current.exit_reason or "–"),
                ],
            )
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The person has been de-selected and the case closed."))
            return redirect(back)
    return _form_page(
        request,
        title=_("De-select and close the case"),
        caption=str(case.person),
        form=form,
        case=case,
        button=_("De-select"),
        back=back,
    )


# Partner worker: referrals to their agency ------------------------------------------------------


@requires("referral.update")
def partner_referrals(request: HttpRequest) -> HttpResponse:
    referrals = list(selectors.referrals_visible_to(request.user).order_by("status", "-sent_on"))
    audit_record(user=request.user, action="referral.list", detail={"shown": len(referrals)})
    return render(
        request,
        "cases/partner_referrals.html",
        {
            "referrals": referrals,
            "services": labels(lists().services),
        },
    )


@requires("referral.update")
def partner_referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referrals_visible_to(request.user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    form = ReferralUpdateForm(
        request.POST or None, initial={"version": referral.version, "on": timezone.localdate()}
    )
    back = reverse("cases:partner-referrals")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.referral_update(
                user=request.user,
                referral=referral,
                version=d["version"],
                status=d["status"],
                on=d["on"],
                reason=d["reason"],
            )
        except services.Conflict as conflict:
            return _conflict(
                request,
                caption=str(referral.case.person),
                form=form,
                back=back,
                saved=[
                    (_("Status"), conflict.current.get_status_display()),
                    (_("Reason"), conflict.current.outcome_reason or "–"),
                ],
            )
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Referral updated."))
            return redirect(back)
    audit_record(
        user=request.user,
        action="referral.view",
        object_type="person",
        object_id=referral.case.person_id,
        fields=["identity"],
        detail={"referral": referral.pk},
    )
    return render(
        request,
        "cases/partner_referral.html",
        {"referral": referral, "form": form, "service": label(lists().services, referral.service)},
    )


# Configurable lists ------------------------------------------------------------------------------


@requires("lists.manage")
def list_index(request: HttpRequest) -> HttpResponse:
    entries = selectors.list_entries()
    pathways, shares = dict(Pathway.choices), dict(SHARE_CHOICES)
    add = {
        ListKind.STREAM: _("Add a cohort stream"),
        ListKind.SERVICE: _("Add a service"),
        ListKind.CONTACT_TYPE: _("Add a contact type"),
    }
    kinds = [
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
    return render(request, "cases/lists.html", {"kinds": kinds})


def _list_kind_or_404(kind: str) -> ListKind:
    if kind not in ListKind.values:
        raise Http404
    return ListKind(kind)


@requires("lists.manage")
def list_entry_new(request: HttpRequest, kind: str) -> HttpResponse:
    list_kind = _list_kind_or_404(kind)
    service = list_kind == ListKind.SERVICE
    form = ListEntryNewForm(request.POST or None, service=service)
    back = reverse("cases:lists")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.list_entry_create(
                user=request.user,
                kind=list_kind,
                code=d["code"],
                label=d["label"],
                pathway=d.get("pathway", ""),
                field_groups=d.get("field_groups", []),
            )
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("“%(label)s” has been added.") % {"label": d["label"]})
            return redirect(back)
    return _form_page(
        request,
        title=_("Add to the list: %(kind)s") % {"kind": list_kind.label},
        form=form,
        button=_("Add"),
        back=back,
    )


@requires("lists.manage")
def list_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.list_entry_get(entry_id=entry_id)
    if entry is None:
        raise Http404
    service = entry.kind == ListKind.SERVICE
    initial = {
        "version": entry.version,
        "label": entry.label,
        "active": entry.active,
        "pathway": entry.pathway,
        "field_groups": entry.field_groups,
    }
    form = ListEntryForm(request.POST or None, initial=initial, service=service)
    back = reverse("cases:lists")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.list_entry_update(
                user=request.user,
                entry=entry,
                version=d["version"],
                label=d["label"],
                active=d["active"],
                pathway=d.get("pathway", ""),
                field_groups=d.get("field_groups", []),
            )
        except services.Conflict as conflict:
            current = conflict.current
            saved = [
                (form.fields[name].label, _display(form.fields[name], getattr(current, name)))
                for name in form.fields
                if name != "version"
            ]
            return _conflict(request, caption=entry.get_kind_display(), form=form, back=back, saved=saved)
        except services.CaseError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("“%(label)s” has been saved.") % {"label": d["label"]})
            return redirect(back)
    return _form_page(
        request,
        title=_("Change %(code)s") % {"code": entry.code},
        caption=entry.get_kind_display(),
        intro=_("Records already made keep this code; changing the label changes how they are shown."),
        form=form,
        button=_("Save"),
        back=back,
    )
