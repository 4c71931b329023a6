"""Case-quality indicators drawn from the 2020 joint inspection of IOM: pure functions of plain
facts about each case (the selectors gather them from the application database). No Django import.

Each indicator has a definition, a numerator and a denominator (the cases it applies to), and the
cases in each, so a coordinator can drill down to them. Thresholds and the other settings are data:
indicators.yaml beside this file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

CONFIG_FILE = Path(__file__).with_name("indicators.yaml")
GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"


class IndicatorConfigError(ValueError):
    """indicators.yaml is unusable; the message names the key."""


@dataclass(frozen=True)
class Threshold:
    green: float
    amber: float
    higher_is_better: bool = True

    def rag(self, rate: float | None) -> str:
        if rate is None:
            return NONE
        if self.higher_is_better:
            return GREEN if rate >= self.green else AMBER if rate >= self.amber else RED
        return GREEN if rate <= self.green else AMBER if rate <= self.amber else RED


@dataclass(frozen=True)
class IndicatorConfig:
    working_days_to_referral: int
    non_working_days: tuple[date, ...]
    safeguarding_services: frozenset[str]
    contact_months: int
    expected_contacts_per_month: dict[str, float]
    thresholds: dict[str, Threshold]


def load_config(path: Path = CONFIG_FILE) -> IndicatorConfig:
    try:
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise IndicatorConfigError(f"{path.name}: cannot be read ({exc})") from exc
    try:
        thresholds = {}
        for code, value in (raw.get("thresholds") or {}).items():
            if code not in DEFINITIONS:
                raise IndicatorConfigError(f"{path.name}: thresholds.{code}: no such indicator")
            thresholds[code] = Threshold(
                float(value["green"]), float(value["amber"]), bool(value.get("higher_is_better", True))
            )
        missing = sorted(set(DEFINITIONS) - set(thresholds))
        if missing:
            raise IndicatorConfigError(f"{path.name}: thresholds missing for {', '.join(missing)}")
        return IndicatorConfig(
            working_days_to_referral=int(raw["working_days_to_referral"]),
            non_working_days=tuple(date.fromisoformat(str(d)) for d in raw.get("non_working_days") or []),
            safeguarding_services=frozenset(raw.get("safeguarding_services") or []),
            contact_months=int(raw["contact_months"]),
            expected_contacts_per_month={
                str(k): float(v) for k, v in (raw.get("expected_contacts_per_month") or {}).items()
            },
            thresholds=thresholds,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, IndicatorConfigError):
            raise
        raise IndicatorConfigError(f"{path.name}: {exc!r} is missing or not valid") from exc


@dataclass(frozen=True)
class Definition:
    code: str
    title: str
    definition: str
    numerator: str
    denominator: str
    finding: str
    restricted: bool = False  # about substance misuse: special-category (health) data
    # About domestic abuse, which tells about a victim: shown only to those entitled to victim data.
    victim: bool = False


INSPECTION = "Joint thematic inspection of IOM, HMI Probation and HMICFRS, February 2020"
DEFINITIONS: dict[str, Definition] = {
    d.code: d
    for d in (
        Definition(
            "selection_rationale",
            "Reason for selection recorded",
            "Managed cases whose adoption decision records the panel's rationale.",
            "managed cases with a recorded rationale for adoption",
            "managed cases",
            "Case files did not record why the person was being managed under IOM.",
        ),
        Definition(
            "plan_requirements",
            "Active plan with requirements and agency actions",
            "Managed cases with an active plan that sets at least one requirement for the person and an "
            "action for each involved agency (the lead agency and the agencies of the case's police and "
            "probation workers).",
            "managed cases whose active plan has a requirement and an action for each involved agency",
            "managed cases",
            "Two thirds of plans did not say what the individual had to do.",
        ),
        Definition(
            "substance_referral",
            "Substance-misuse need referred in time",
            "Cases with a drugs and alcohol need referred to a drugs and alcohol service within the set "
            "number of working days of the need being recorded.",
            "cases referred in time",
            "managed cases with a drugs and alcohol need",
            "Under half of those needing drug or alcohol treatment got it.",
            restricted=True,
        ),
        Definition(
            "substance_treatment",
            "Substance-misuse treatment started",
            "Cases with a drugs and alcohol need whose referral to a drugs and alcohol service has started.",
            "cases whose treatment started",
            "managed cases with a drugs and alcohol need",
            "Under half of those needing drug or alcohol treatment got it.",
            restricted=True,
        ),
        Definition(
            "accommodation_met",
            "Accommodation need met",
            "Cases with an accommodation need whose referral to an accommodation service was completed.",
            "cases with an accommodation referral completed",
            "managed cases with an accommodation need",
            "Individuals were no longer getting priority access to much-needed services.",
        ),
        Definition(
            "risk_in_date",
            "Risk-of-harm assessment in date",
            "Managed cases with a risk of serious harm level recorded and its review date not passed.",
            "managed cases with a risk assessment in date",
            "managed cases",
            "Almost 40% of cases posed a high or very high risk of harm.",
        ),
        Definition(
            "victim_safety",
            "Domestic-abuse case with a victim-safety action",
            "Managed domestic-abuse cases whose plan has a victim-safety action not cancelled.",
            "domestic-abuse cases with a victim-safety action",
            "managed domestic-abuse cases",
            "Domestic abuse was a concern in more than half the cases; little victim-safety work.",
            victim=True,
        ),
        Definition(
            "safeguarding_referral",
            "Safeguarding flag with a safeguarding referral",
            "Managed cases flagged for safeguarding children or adults with a referral to a safeguarding "
            "service (the services listed in indicators.yaml).",
            "flagged cases with a safeguarding referral",
            "managed cases with a safeguarding flag",
            "Little safeguarding work in IOM cases.",
        ),
        Definition(
            "contact_frequency",
            "Contacts at the stream's expected frequency",
            "Managed cases with at least the stream's expected contacts a month (attended or missed, not "
            "booked) over the last complete months, or since the case started if later.",
            "cases with the expected contacts",
            "managed cases in a stream with an expected frequency",
            "IOM had 'lost its way'; performance was disappointing.",
        ),
        Definition(
            "trained_workers",
            "Key workers trained for the case",
            "Managed cases whose flags or stream need training (the training catalogue) and whose police "
            "and probation key workers both hold every such course in date.",
            "cases whose key workers hold the training in date",
            "managed cases whose flags or stream need training",
            "Most officers had no specific training, above all for domestic abuse and safeguarding.",
        ),
        Definition(
            "training_overrides",
            "Allocated without the needed training",
            "Managed cases needing training that were allocated to a key worker without it, with a "
            "coordinator's recorded override (lower is better).",
            "cases with an allocation override",
            "managed cases whose flags or stream need training",
            "Most officers had no specific training, above all for domestic abuse and safeguarding.",
        ),
        Definition(
            "police_other_lanes",
            "Police-owned actions in other agencies' lanes",
            "Managed cases with an open police-owned plan action whose type the scheme's lane mapping "
            "gives only to probation or partners (lower is better).",
            "cases with a police-owned action in another agency's lane",
            "managed cases",
            "Police did welfare work 'which would have been better delivered by probation and other "
            "partners'.",
        ),
        Definition(
            "reviews_overdue",
            "Reviews overdue",
            "Managed cases with a review past its due date and not completed (lower is better).",
            "managed cases with an overdue review",
            "managed cases",
            "IOM had 'lost its way'; performance was disappointing.",
        ),
    )
}


@dataclass
class CaseFacts:
    """What the indicators need to know about one managed case, as plain values."""

    case_id: int
    label: str  # how the drill-down names the person (a pseudonym for pseudonymised users)
    stream: str = ""
    team: str = ""  # the lead agency
    workers: tuple[str, ...] = ()
    start_date: date | None = None
    rationale_recorded: bool = False
    plan_active: bool = False
    requirements: int = 0
    involved_agencies: frozenset[int] = frozenset()
    action_agencies: frozenset[int] = frozenset()
    drug_need_on: date | None = None
    drug_referral_on: date | None = None
    drug_treatment_started: bool = False
    accommodation_need: bool = False
    accommodation_met: bool = False
    risk_level: str = ""
    risk_review_date: date | None = None
    domestic_abuse: bool = False
    victim_safety_action: bool = False
    safeguarding: bool = False
    safeguarding_referral: bool = False
    contact_dates: tuple[date, ...] = ()
    overdue_reviews: int = 0
    needs_training: bool = False
    workers_trained: bool = True
    training_override: bool = False
    police_other_lane: bool = False


@dataclass
class IndicatorResult:
    definition: Definition
    threshold: Threshold
    numerator: list[CaseFacts] = field(default_factory=list)
    rest: list[CaseFacts] = field(default_factory=list)  # in the denominator, not the numerator

    @property
    def denominator(self) -> int:
        return len(self.numerator) + len(self.rest)

    @property
    def rate(self) -> float | None:
        return 100 * len(self.numerator) / self.denominator if self.denominator else None

    @property
    def rag(self) -> str:
        return self.threshold.rag(self.rate)

    @property
    def attention(self) -> list[CaseFacts]:
        """The cases to look at: those missing the standard (or, lower being better, meeting the fault)."""
        return self.rest if self.threshold.higher_is_better else self.numerator


def working_days_between(start: date, end: date, holidays: tuple[date, ...] = ()) -> int:
    """Working days after `start` up to and including `end` (0 when on the same day)."""
    if end <= start:
        return 0
    import numpy as np  # on use: the case pages import this module, and need numpy only here

    day = np.timedelta64(1, "D")
    first, last = np.datetime64(start, "D") + day, np.datetime64(end, "D") + day
    return int(np.busday_count(first, last, holidays=[np.datetime64(h, "D") for h in holidays]))


def months_back(as_of: date, months: int) -> date:
    """The first day of the complete month `months` before the month of `as_of`."""
    index = as_of.year * 12 + as_of.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _contacts_ok(facts: CaseFacts, expected: float, as_of: date, months: int) -> bool:
    window_end = date(as_of.year, as_of.month, 1)  # the current month is not complete
    window_start = months_back(as_of, months)
    span = float(months)
    if facts.start_date and facts.start_date > window_start:
        window_start = facts.start_date
        span = max((window_end - window_start).days, 0) / (365.25 / 12)
    if span < 1:
        return True  # less than a month under management: nothing is due yet
    seen = sum(1 for d in facts.contact_dates if window_start <= d < window_end)
    # Whole contacts only: 1.5 months at 2 a month asks for 3, not 3.02.
    return seen >= math.floor(expected * span + 1e-9)


def evaluate(facts: list[CaseFacts], config: IndicatorConfig, as_of: date) -> list[IndicatorResult]:
    """Every indicator over the managed cases in `facts`."""
    results = {code: IndicatorResult(d, config.thresholds[code]) for code, d in DEFINITIONS.items()}

    def put(code: str, case: CaseFacts, passed: bool) -> None:
        (results[code].numerator if passed else results[code].rest).append(case)

    for case in facts:
        put("selection_rationale", case, case.rationale_recorded)
        put(
            "plan_requirements",
            case,
            case.plan_active and case.requirements > 0 and case.involved_agencies <= case.action_agencies,
        )
        if case.drug_need_on is not None:
            in_time = case.drug_referral_on is not None and (
                working_days_between(case.drug_need_on, case.drug_referral_on, config.non_working_days)
                <= config.working_days_to_referral
            )
            put("substance_referral", case, in_time)
            put("substance_treatment", case, case.drug_treatment_started)
        if case.accommodation_need:
            put("accommodation_met", case, case.accommodation_met)
        put(
            "risk_in_date",
            case,
            bool(case.risk_level) and case.risk_review_date is not None and case.risk_review_date >= as_of,
        )
        if case.domestic_abuse:
            put("victim_safety", case, case.victim_safety_action)
        if case.safeguarding:
            put("safeguarding_referral", case, case.safeguarding_referral)
        expected = config.expected_contacts_per_month.get(case.stream)
        if expected is not None:
            put("contact_frequency", case, _contacts_ok(case, expected, as_of, config.contact_months))
        if case.needs_training:
            put("trained_workers", case, case.workers_trained)
            put("training_overrides", case, case.training_override)
        put("police_other_lanes", case, case.police_other_lane)
        put("reviews_overdue", case, case.overdue_reviews > 0)
    return list(results.values())


def by_group(
    facts: list[CaseFacts], config: IndicatorConfig, as_of: date, key: str
) -> list[tuple[str, list[IndicatorResult]]]:
    """The indicators for each team (key "team") or worker (key "worker"; a case counts for each of
    its workers)."""
    groups: dict[str, list[CaseFacts]] = {}
    for case in facts:
        names = case.workers if key == "worker" else (case.team,)
        for name in names or ("Not recorded",):
            groups.setdefault(name or "Not recorded", []).append(case)
    return [(name, evaluate(cases, config, as_of)) for name, cases in sorted(groups.items())]
