"""The terms a clause's settings are written in: event sets, windows, event filters.

Both the definition parser and every clause kind use them, so they live apart from both: the
parser finds the clause kinds through the registry, and the kinds never import the parser.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from openiom.cohorts.engine.dates import window_start
from openiom.vocabulary import ARREST, CAUTION, CONVICTION, EVENT_TYPES, PROVEN, SANCTIONS, EventType

# Named event sets, as defined in docs/data-formats.md ("Which events count as what").
EVENT_SETS: dict[str, tuple[str, ...]] = {
    "proven_offences": PROVEN,
    "sanctions": SANCTIONS,
    "convictions": (CONVICTION,),
    "cautions": (CAUTION,),
    "arrests": (ARREST,),
    "all_events": EVENT_TYPES,
}
EVENT_SET_NOUNS = {
    "proven_offences": "proven offences",
    "sanctions": "sanctions",
    "convictions": "convictions",
    "cautions": "cautions",
    "arrests": "arrests",
    "all_events": "events",
}
DateField = Literal["offence_date", "outcome_date"]
EventSet = Literal["proven_offences", "sanctions", "convictions", "cautions", "arrests", "all_events"]
PositiveInt = Annotated[int, Field(ge=1)]


class Strict(BaseModel):
    """Settings that reject unknown keys (a misspelt setting is an error, not a default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(Strict):
    """A look-back ending on the as-of date; give exactly one of days, months or years."""

    days: PositiveInt | None = None
    months: PositiveInt | None = None
    years: PositiveInt | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Window:
        given = [k for k in ("days", "months", "years") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of days, months or years")
        return self

    def start(self, as_of: dt.date) -> dt.date:
        return window_start(as_of, days=self.days or 0, months=self.months or 0, years=self.years or 0)

    def describe(self) -> str:
        for unit in ("years", "months", "days"):
            value = getattr(self, unit)
            if value is not None:
                return f"{value} {unit[:-1] if value == 1 else unit}"
        raise AssertionError("validated to have one unit")


class EventFilter(Strict):
    """Which events a clause looks at. `types` is a list of event types or one named set."""

    types: list[EventType] | EventSet = "proven_offences"
    categories: list[str] | None = None
    neighbourhood_crime: bool | None = None
    domestic_abuse: bool | None = None

    @field_validator("types", mode="before")
    @classmethod
    def _known_types(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in EVENT_SETS:
            raise ValueError(
                f"{value!r} is not an event set; use one of {', '.join(EVENT_SETS)} "
                f"or a list of event types ({', '.join(EVENT_TYPES)})"
            )
        return value

    def event_types(self) -> tuple[str, ...]:
        if isinstance(self.types, str):
            return EVENT_SETS[self.types]
        return tuple(self.types)

    def noun(self) -> str:
        base = (
            EVENT_SET_NOUNS[self.types]
            if isinstance(self.types, str)
            else " or ".join(self.types) + " events"
        )
        qualifiers = []
        if self.domestic_abuse:
            qualifiers.append("domestic-abuse")
        if self.neighbourhood_crime:
            qualifiers.append("neighbourhood-crime")
        return " ".join([*qualifiers, base])


def _filter(value: Any) -> Any:
    return {"types": value} if isinstance(value, str | list) else value


# A clause's `events:` setting: a filter mapping, or just its `types` (`events: arrests`).
Events = Annotated[EventFilter, BeforeValidator(_filter)]
