"""The domain's words: event types, disposals, what counts as proven, and the need pathways.

Each code is spelled here once. The Django models, the import schema, the cohort engine and the
evaluation all take their codes from this module (tests/test_vocabulary.py fails if one spells its
own copy), so a new event type or disposal is added in one place. It imports nothing, so the
analytics packages that must not import Django (cohorts/engine, evaluation) can use it.
The meanings are documented in docs/data-formats.md ("Which events count as what").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

EventType = Literal["arrest", "charge", "conviction", "caution", "out_of_court_disposal"]
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
ARREST, CHARGE, CONVICTION, CAUTION, OUT_OF_COURT_DISPOSAL = EVENT_TYPES

# As in the MoJ proven reoffending statistics: community resolutions and penalty notices are not
# proven offences. A sanction, for criminal-career counts, is the same pair.
PROVEN: tuple[EventType, ...] = (CONVICTION, CAUTION)
SANCTIONS: tuple[EventType, ...] = PROVEN

COURT_DISPOSALS = (
    "custody",
    "suspended_sentence",
    "community_order",
    "fine",
    "conditional_discharge",
    "absolute_discharge",
    "other_court",
)
CAUTION_DISPOSALS = ("caution", "conditional_caution")
OUT_OF_COURT_DISPOSALS = ("community_resolution", "penalty_notice")
DISPOSALS = COURT_DISPOSALS + CAUTION_DISPOSALS + OUT_OF_COURT_DISPOSALS
(
    CUSTODY,
    SUSPENDED_SENTENCE,
    COMMUNITY_ORDER,
    FINE,
    CONDITIONAL_DISCHARGE,
    ABSOLUTE_DISCHARGE,
    OTHER_COURT,
    CAUTION_DISPOSAL,
    CONDITIONAL_CAUTION,
    COMMUNITY_RESOLUTION,
    PENALTY_NOTICE,
) = DISPOSALS
# The sentences a probation service supervises.
PROBATION_DISPOSALS = (CUSTODY, SUSPENDED_SENTENCE, COMMUNITY_ORDER)
# The disposals each kind of sanction may have; arrests and charges have none.
DISPOSALS_BY_EVENT: dict[str, tuple[str, ...]] = {
    CONVICTION: COURT_DISPOSALS,
    CAUTION: CAUTION_DISPOSALS,
    OUT_OF_COURT_DISPOSAL: OUT_OF_COURT_DISPOSALS,
}

# The resettlement pathways a case's needs, actions and referrals are recorded against.
PATHWAYS = (
    "accommodation",
    "ete",
    "health",
    "drugs_alcohol",
    "finance",
    "families",
    "attitudes",
    "domestic_abuse",
)
ACCOMMODATION, ETE, HEALTH, DRUGS_ALCOHOL, FINANCE, FAMILIES, ATTITUDES, DOMESTIC_ABUSE = PATHWAYS
# Health and substance misuse are special-category data: the restricted "health" field group.
RESTRICTED_PATHWAYS = frozenset({HEALTH, DRUGS_ALCOHOL})

# The case flags a training course may be required for (openiom.workforce): a flag is set on the
# case (domestic-abuse perpetrator, safeguarding children or adults, gang, weapons) or, for MAPPA,
# the case is managed at any MAPPA level.
CASE_FLAGS = (
    "domestic_abuse",
    "safeguarding_children",
    "safeguarding_adults",
    "mappa",
    "gang",
    "weapons",
)


def sql_list(codes: Iterable[str]) -> str:
    """Codes as an SQL value list, `('conviction', 'caution')`, for queries over these fixed codes."""
    quoted = []
    for code in codes:
        if not code.replace("_", "").isalnum():
            raise ValueError(f"{code!r} is not a vocabulary code")
        quoted.append(f"'{code}'")
    return f"({', '.join(quoted)})"
