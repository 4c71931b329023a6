"""The evaluation configuration file (YAML), validated with pydantic.

Every error names the key that is wrong (e.g. `matching.ratio: must be at least 1`), and relative
paths are resolved against the folder that holds the configuration file, so a config and its data
can be moved together.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from openiom.evaluation.case_outcomes import CASE_OUTCOME_KINDS, MAX_WINDOW_MONTHS, PATHWAY_WORDS

HISTORY_COVARIATES = (
    "age",
    "sex",
    "prior_sanctions",
    "prior_sanctions_1y",
    "prior_custody",
    "prior_violence",
    "prior_acquisitive",
    "prior_drugs",
    "years_since_first_sanction",
    "index_offence_group",
)
OUTCOMES = (
    "proven_reoffending",
    "reoffending_frequency",
    "days_to_first_reoffence",
    "custodial_reoffending",
    "custodial_frequency",
    "severity",
    "cost_of_crime",
)


class ConfigError(ValueError):
    """The configuration is invalid; the message names each bad key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataFiles(_Strict):
    people: Path
    events: Path
    treated: Path
    covariates: Path | None = None
    pool: Path | None = None
    reference: Path | None = None
    outcomes: Path | None = None


class Comparison(_Strict):
    window_start: date | None = None
    window_end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Comparison:
        if self.window_start and self.window_end and self.window_end < self.window_start:
            raise ValueError("window_end is before window_start")
        return self


class Covariates(_Strict):
    history: list[str] = Field(default_factory=lambda: list(HISTORY_COVARIATES))
    supplied: list[str] = Field(default_factory=list)

    @field_validator("history")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in HISTORY_COVARIATES]
        if unknown:
            raise ValueError(
                f"unknown covariate(s) {', '.join(unknown)}; choose from {', '.join(HISTORY_COVARIATES)}"
            )
        return value


class Matching(_Strict):
    ratio: int = Field(1, ge=1, le=20)
    replace: bool = False
    caliper: float | None = Field(0.2, gt=0)
    exact: list[str] = Field(default_factory=list)
    order: Literal["largest", "smallest", "data", "random"] = "largest"
    ties: Literal["share", "random", "data"] = "share"


class Effects(_Strict):
    aipw: bool = False


class BalanceGate(_Strict):
    max_abs_smd: float = Field(0.1, gt=0)
    variance_ratio: tuple[float, float] = (0.5, 2.0)
    min_ess: float | None = Field(None, gt=0)  # comparison group's effective size; default min_cohort
    on_failure: Literal["warn", "refuse"] = "warn"


class SuppliedOutcome(_Strict):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    label: str | None = None
    kind: Literal["binary", "numeric"]
    unit: str = ""
    phrase: str = ""  # binary: what a person with the outcome "had" or did, e.g. "started treatment"


class CaseOutcome(_Strict):
    """An outcome drawn from the case records (evaluation/case_outcomes.py defines the kinds)."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    kind: str
    pathway: str
    within_months: int = Field(ge=1, le=MAX_WINDOW_MONTHS)
    label: str | None = None

    @model_validator(mode="after")
    def _known(self) -> CaseOutcome:
        if self.kind not in CASE_OUTCOME_KINDS:
            raise ValueError(
                f"{self.name}: unknown kind {self.kind!r}; choose from {', '.join(CASE_OUTCOME_KINDS)}"
            )
        if self.pathway not in PATHWAY_WORDS:
            raise ValueError(
                f"{self.name}: unknown pathway {self.pathway!r}; choose from {', '.join(PATHWAY_WORDS)}"
            )
        return self


class Costs(_Strict):
    programme_cost_per_person: float | None = Field(None, ge=0)
    programme_price_base: str | None = None
    unit_cost_uplift: float = Field(1.0, gt=0)


class Subgroups(_Strict):
    age_band: bool = True
    offence_type: bool = True
    need: str | None = None
    min_size: int | None = Field(None, ge=2)


class EvaluationConfig(_Strict):
    title: str = "Programme evaluation"
    data: DataFiles
    data_end: date | None = None
    comparison: Comparison = Comparison()
    covariates: Covariates = Covariates()
    matching: Matching = Matching()
    outcomes: list[str] = Field(default_factory=lambda: list(OUTCOMES))
    supplied_outcomes: list[SuppliedOutcome] = Field(default_factory=list)
    case_outcomes: list[CaseOutcome] = Field(default_factory=list)
    effects: Effects = Effects()
    balance: BalanceGate = BalanceGate()
    min_cohort: int = Field(60, ge=2)
    costs: Costs = Costs()
    subgroups: Subgroups = Subgroups()
    heterogeneity: bool = False
    seed: int = 20260101

    @model_validator(mode="after")
    def _cross_checks(self) -> EvaluationConfig:
        supplied_names = [o.name for o in self.supplied_outcomes]
        clash = [n for n in supplied_names if n in OUTCOMES or supplied_names.count(n) > 1]
        if clash:
            raise ValueError(
                f"supplied_outcomes: {', '.join(sorted(set(clash)))} is a built-in or repeated name"
            )
        case_names = [o.name for o in self.case_outcomes]
        clash = [n for n in case_names if n in OUTCOMES or n in supplied_names or case_names.count(n) > 1]
        if clash:
            raise ValueError(
                f"case_outcomes: {', '.join(sorted(set(clash)))} is a built-in, supplied or repeated name"
            )
        supplied_names = [*supplied_names, *case_names]
        known = (*OUTCOMES, *supplied_names)
        unknown = [v for v in self.outcomes if v not in known]
        if unknown:
            raise ValueError(
                f"outcomes: unknown outcome(s) {', '.join(unknown)}; choose from {', '.join(known)} "
                f"(or describe it under supplied_outcomes or case_outcomes)"
            )
        if "proven_reoffending" not in self.outcomes:
            raise ValueError("proven_reoffending must be one of the outcomes (it is the headline measure)")
        if self.supplied_outcomes and self.data.outcomes is None:
            raise ValueError("supplied_outcomes needs data.outcomes (the file that holds those columns)")
        low, high = self.balance.variance_ratio
        if not 0 < low < 1 < high:
            raise ValueError("balance.variance_ratio must be [low, high] with 0 < low < 1 < high")
        columns = set(self.covariates.history) | set(self.covariates.supplied)
        for name in self.matching.exact:
            if name not in columns:
                raise ValueError(f"matching.exact names {name!r}, which is not one of the covariates")
        if self.covariates.supplied and self.data.covariates is None:
            raise ValueError("covariates.supplied needs data.covariates (the file that holds those columns)")
        if self.subgroups.need and self.data.covariates is None:
            raise ValueError("subgroups.need needs data.covariates (the file that holds the need column)")
        return self

    @property
    def evaluated_outcomes(self) -> list[str]:
        """The outcomes to estimate: those listed, then every supplied or case-record one not listed."""
        extra = [o.name for o in self.supplied_outcomes] + [o.name for o in self.case_outcomes]
        return [*self.outcomes, *(name for name in extra if name not in self.outcomes)]

    @property
    def subgroup_min_size(self) -> int:
        return self.subgroups.min_size or self.min_cohort


def _format_errors(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (check the spelling)"
        lines.append(f"{key}: {message}")
    return "\n".join(lines)


def parse_config(
    raw: dict[str, Any],
    base_dir: Path,
    *,
    confined: bool = False,
    also_allowed: frozenset[Path] = frozenset(),
) -> EvaluationConfig:
    """Validate a configuration mapping; relative data paths are resolved against base_dir.

    `confined` (the web page): every data file must be a file inside base_dir (or one of
    `also_allowed`, the run's own upload), and a file that is missing gets the same message as one
    that is not allowed, naming no server path, so the form cannot be used to learn what is on the
    server. The command line's own files are named in full."""
    try:
        config = EvaluationConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc)) from exc
    resolved = {
        name: (base_dir / value).resolve() if value is not None else None
        for name, value in config.data.model_dump().items()
    }
    root = base_dir.resolve()
    allowed = {path.resolve() for path in also_allowed}
    for name, path in resolved.items():
        if path is None:
            continue
        if confined:
            if path not in allowed and not (path.is_relative_to(root) and path.is_file()):
                raise ConfigError(f"data.{name}: must be a file in the evaluation data folder")
        elif not path.exists():
            raise ConfigError(f"data.{name}: {path} does not exist")
    return config.model_copy(update={"data": DataFiles.model_validate(resolved)})


def load_config(path: Path | str) -> EvaluationConfig:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML ({exc})") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name}: the top level must be a mapping of keys to values")
    return parse_config(raw, path.parent)
