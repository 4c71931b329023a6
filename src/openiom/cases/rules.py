"""The case rules as plain functions: each returns its verdict and its reasons, no database needed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from openiom.cases.models import Decision, NeedLevel, Pathway, ReferralOutcome, ReferralStatus

S = ReferralStatus
# A referral moves forward only: sent → accepted / declined / no provision → started → completed /
# disengaged. Anything else is refused.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SENT: frozenset({S.ACCEPTED, S.DECLINED, S.NO_PROVISION}),
    S.ACCEPTED: frozenset({S.STARTED, S.DISENGAGED, S.NO_PROVISION}),
    S.STARTED: frozenset({S.COMPLETED, S.DISENGAGED}),
}
CLOSED = frozenset({S.DECLINED, S.COMPLETED, S.DISENGAGED, S.NO_PROVISION})
NEEDS_REASON = frozenset({S.DECLINED, S.DISENGAGED, S.NO_PROVISION})
MIN_RATIONALE = 20


def referral_transition_problem(current: str, new: str, reason: str) -> str | None:
    """Why the move from `current` to `new` is refused, or None if it is allowed."""
    if new not in TRANSITIONS.get(current, frozenset()):
        return _("A referral that is “%(current)s” cannot become “%(new)s”") % {
            "current": S(current).label,
            "new": S(new).label if new in S.values else new,
        }
    if new in NEEDS_REASON and not reason.strip():
        return _("Give the reason the referral is “%(new)s”") % {"new": S(new).label}
    return None


@dataclass(frozen=True)
class NeedMet:
    met: bool | None  # None: not known yet (referral open, or its outcome not recorded)
    reason: str


RO = ReferralOutcome
MEETS_NEED = frozenset({RO.TREATMENT_COMPLETED, RO.ENGAGED})
# The outcomes a partner may record when closing a referral with each status.
OUTCOMES_FOR: dict[str, tuple[str, ...]] = {
    S.COMPLETED: (RO.TREATMENT_COMPLETED, RO.ENGAGED, RO.COMPLETED_NOT_MET),
    S.DISENGAGED: (RO.DISENGAGED, RO.ENGAGED),
    S.DECLINED: (RO.DECLINED, RO.NOT_ELIGIBLE),
    S.NO_PROVISION: (RO.NO_PROVISION,),
}


def referral_outcome_problem(status: str, outcome: str) -> str | None:
    """A closing referral records its outcome, one that fits how it closed; an open one has none."""
    allowed = OUTCOMES_FOR.get(status)
    if allowed is None:
        return _("Record the outcome only when the referral closes") if outcome else None
    if outcome not in allowed:
        return _("Choose the outcome: %(choices)s") % {
            "choices": "; ".join(str(RO(o).label) for o in allowed)
        }
    return None


def need_met(level: str, referrals: Iterable[tuple[str, str]]) -> NeedMet:
    """Whether a need was met, from the recorded outcomes of its referrals ((status, outcome) pairs)."""
    rows = list(referrals)
    if level == NeedLevel.NONE:
        return NeedMet(True, _("No need identified"))
    if any(outcome in MEETS_NEED for _status, outcome in rows):
        return NeedMet(True, _("A referral for this need recorded the need as met"))
    open_ = [status for status, _outcome in rows if status not in CLOSED]
    if S.STARTED in open_:
        return NeedMet(None, _("The person has started with the service"))
    if open_:
        return NeedMet(None, _("A referral is waiting for the service"))
    if any(not outcome for _status, outcome in rows):
        return NeedMet(None, _("A referral closed without its outcome recorded"))
    if rows:
        return NeedMet(False, _("Every referral for this need ended with the need not met"))
    return NeedMet(False, _("No referral has been made for this need"))


@dataclass(frozen=True)
class NeedRow:
    pathway: str
    level: str
    no_action_reason: str


def plan_activation_problems(
    *,
    requirements: int,  # how many say what, by when and how checked (`concrete_requirements`)
    needs: Iterable[NeedRow],
    action_pathways: Iterable[str],
    domestic_abuse: bool,
    victim_safety_actions: int,
) -> list[str]:
    """Why a plan cannot be made active (empty when it can)."""
    problems = []
    if requirements == 0:
        problems.append(
            _("Add at least one requirement that says what the person must do, by when and how it is checked")
        )
    covered = set(action_pathways)
    for need in needs:
        if need.level != NeedLevel.NONE and need.pathway not in covered and not need.no_action_reason.strip():
            problems.append(
                _("The %(pathway)s need has no action and no recorded reason for none")
                % {"pathway": Pathway(need.pathway).label.lower()}
            )
    if domestic_abuse and victim_safety_actions == 0:
        problems.append(_("A domestic-abuse case needs at least one victim-safety action"))
    return problems


def decision_problems(
    *,
    decision: str,
    rationale: str,
    mappa_level: int,
    mappa_override: str,
    stream: str,
    lead_agency: object | None,
    start_date: object | None,
) -> dict[str, str]:
    """Field → why the panel decision cannot be saved (empty when it can)."""
    problems: dict[str, str] = {}
    if decision not in Decision.values:
        problems["decision"] = _("Choose adopt, decline or defer")
    if len(rationale.strip()) < MIN_RATIONALE:
        problems["rationale"] = _("Write the rationale for the decision (at least %(n)d characters)") % {
            "n": MIN_RATIONALE
        }
    if decision == Decision.ADOPT:
        if mappa_level and len(mappa_override.strip()) < MIN_RATIONALE:
            problems["mappa_override"] = _(
                "This person is managed under MAPPA: give the reason to adopt them into IOM as well "
                "(at least %(n)d characters)"
            ) % {"n": MIN_RATIONALE}
        if not stream:
            problems["stream"] = _("Choose the cohort stream")
        if lead_agency is None:
            problems["lead_agency"] = _("Choose the lead agency")
        if start_date is None:
            problems["start_date"] = _("Enter the start date")
    return problems


RISK_REVIEW_WARNING = timedelta(days=14)


@dataclass(frozen=True)
class Attention:
    """What on a managed case needs a worker's attention today, and why."""

    overdue_reviews: int
    referrals_waiting: int
    missed_appointments: int
    risk_review_due: bool

    @property
    def score(self) -> int:
        """How many kinds of thing need attention: the caseload leads with the highest."""
        return sum(
            (
                self.overdue_reviews > 0,
                self.referrals_waiting > 0,
                self.missed_appointments > 0,
                self.risk_review_due,
            )
        )


def attention(
    *,
    overdue_reviews: int,
    referrals_waiting: int,
    missed_appointments: int,
    risk_review_date: date | None,
    today: date,
) -> Attention:
    """A risk review is due when none is set or it falls within RISK_REVIEW_WARNING of today."""
    return Attention(
        overdue_reviews=overdue_reviews,
        referrals_waiting=referrals_waiting,
        missed_appointments=missed_appointments,
        risk_review_due=risk_review_date is None or risk_review_date <= today + RISK_REVIEW_WARNING,
    )


# The plan gate -----------------------------------------------------------------------------------

MIN_REQUIREMENT_WORDS = 3
MIN_HOW_CHECKED = 5


def requirement_problems(*, text: str, how_checked: str) -> dict[str, str]:
    """Field → why a requirement does not yet say what the person must do and how it is checked.

    "Attend" says neither what nor where: a requirement needs a few words, and a way to check it.
    """
    problems: dict[str, str] = {}
    if not text.strip():
        problems["text"] = _("Say what the person must do")
    elif len(text.split()) < MIN_REQUIREMENT_WORDS:
        problems["text"] = _(
            "Say in at least %(n)d words what the person must do, for example "
            "“Attend weekly drug-treatment sessions at the recovery hub”"
        ) % {"n": MIN_REQUIREMENT_WORDS}
    if len(how_checked.strip()) < MIN_HOW_CHECKED:
        problems["how_checked"] = _(
            "Say how it will be checked, for example “attendance confirmed by the service”"
        )
    return problems


def concrete_requirements(requirements: Iterable[tuple[str, str]]) -> int:
    """How many of the (text, how checked) requirements say what, and how it is checked."""
    return sum(not requirement_problems(text=text, how_checked=how) for text, how in requirements)


def agency_action_problems(*, agencies_involved: dict[int, str], action_agencies: Iterable[int]) -> list[str]:
    """The plan gate's agency rule: each agency involved in the case (id → name) owns an action."""
    owning = set(action_agencies)
    return [
        _("%(agency)s is involved in the case but owns no action in the plan") % {"agency": name}
        for agency_id, name in sorted(agencies_involved.items(), key=lambda item: item[1])
        if agency_id not in owning
    ]


# Dates -------------------------------------------------------------------------------------------


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def contact_date_problem(*, on: date, outcome: str, today: date) -> str | None:
    """An attended or missed contact has happened: it cannot be in the future."""
    if outcome != "planned" and on > today:
        return _("A contact that was attended or missed cannot be in the future: record it as booked")
    return None


def due_date_problem(*, due: date, case_start: date | None) -> str | None:
    if case_start is not None and due < case_start:
        return _("The due date cannot be before the case started on %(start)s") % {"start": _long(case_start)}
    return None


REFERRAL_DATE_ORDER = ("sent_on", "accepted_on", "started_on", "closed_on")
REFERRAL_DATE_NAMES = {
    "sent_on": _("sent"),
    "accepted_on": _("accepted"),
    "started_on": _("started"),
    "closed_on": _("closed"),
}


def referral_date_problem(*, dates: dict[str, date | None], field: str, today: date) -> str | None:
    """Sent ≤ accepted ≤ started ≤ closed ≤ today: why the date just given to `field` breaks that."""
    day = dates.get(field)
    if day is None:
        return None
    if day > today:
        return _("The date cannot be in the future")
    position = REFERRAL_DATE_ORDER.index(field)
    for earlier in reversed(REFERRAL_DATE_ORDER[:position]):
        before = dates.get(earlier)
        if before is not None and day < before:
            return _("The date cannot be before the referral was %(step)s on %(day)s") % {
                "step": REFERRAL_DATE_NAMES[earlier],
                "day": _long(before),
            }
    return None


def review_date_problem(*, next_due: date, today: date, last_review: date | None) -> str | None:
    if next_due <= today:
        return _("The next review must be after today")
    if last_review is not None and next_due <= last_review:
        return _("The next review must be after the last review on %(day)s") % {"day": _long(last_review)}
    return None


# Closed cases ------------------------------------------------------------------------------------

CLOSED_CASE = frozenset({"exited", "declined"})


def case_closed_problem(status: str) -> str | None:
    """An exited or declined case is read-only: only a coordinator's reopen changes it."""
    if status in CLOSED_CASE:
        return _("This case is closed: a coordinator must reopen it, giving the reason, before it changes")
    return None


def reopen_problem(*, status: str, reason: str) -> dict[str, str]:
    if status not in CLOSED_CASE:
        return {"reason": _("Only an exited or declined case can be reopened")}
    if len(reason.strip()) < MIN_RATIONALE:
        return {
            "reason": _("Give the reason for reopening (at least %(n)d characters)") % {"n": MIN_RATIONALE}
        }
    return {}


# Owners ------------------------------------------------------------------------------------------


def owner_problem(
    *, owner_agency_id: int, worker_agency_id: int | None, worker_in_scheme: bool
) -> str | None:
    """An action's worker must work for the owning agency, in the case's scheme."""
    if worker_agency_id != owner_agency_id:
        return _("The owner worker must work for the owner agency")
    if not worker_in_scheme:
        return _("The owner worker must be a member of the case's scheme")
    return None


# Referral outcomes -------------------------------------------------------------------------------


def next_statuses(current: str) -> list[str]:
    """The statuses a referral may move to next, in the order they are offered."""
    allowed = TRANSITIONS.get(current, frozenset())
    return [s for s in S.values if s in allowed]
