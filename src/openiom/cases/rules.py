"""The case rules as plain functions: each returns its verdict and its reasons, no database needed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from openiom.cases.models import Decision, NeedLevel, Pathway, ReferralStatus

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
    met: bool | None  # None: not known yet (referral open, or no referral)
    reason: str


def need_met(level: str, referral_statuses: Iterable[str]) -> NeedMet:
    """Whether a need was met, derived from the outcomes of the referrals made for it."""
    statuses = list(referral_statuses)
    if level == NeedLevel.NONE:
        return NeedMet(True, _("No need identified"))
    if S.COMPLETED in statuses:
        return NeedMet(True, _("A referral for this need was completed"))
    open_ = [s for s in statuses if s not in CLOSED]
    if S.STARTED in open_:
        return NeedMet(None, _("The person has started with the service"))
    if open_:
        return NeedMet(None, _("A referral is waiting for the service"))
    if statuses:
        return NeedMet(False, _("Every referral for this need ended without completion"))
    return NeedMet(False, _("No referral has been made for this need"))


@dataclass(frozen=True)
class NeedRow:
    pathway: str
    level: str
    no_action_reason: str


def plan_activation_problems(
    *,
    requirements: int,
    needs: Iterable[NeedRow],
    action_pathways: Iterable[str],
    domestic_abuse: bool,
    victim_safety_actions: int,
) -> list[str]:
    """Why a plan cannot be made active (empty when it can)."""
    problems = []
    if requirements == 0:
        problems.append(_("Add at least one requirement saying what the person must do"))
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
