"""Cohort identification engine: definitions, rules, reasons and analytics, with no Django import.

One definition runs unchanged on DuckDB (default), Spark, SQLite and PostgreSQL through Ibis; see
docs/cohorts.md and docs/decisions/0003-cohort-engine.md.
"""

from openiom.cohorts.engine.analytics import compare, compare_results, concentration, stability
from openiom.cohorts.engine.definitions import (
    Definition,
    DefinitionError,
    builtin_definitions,
    load_definition_file,
    parse_definition,
    resolve_definition,
)
from openiom.cohorts.engine.identify import Candidate, CohortResult, Reason, identify
from openiom.cohorts.engine.sources import (
    PeopleScope,
    Source,
    SourceError,
    database_source,
    file_source,
    spark_session,
)

__all__ = [
    "Candidate",
    "CohortResult",
    "Definition",
    "DefinitionError",
    "PeopleScope",
    "Reason",
    "Source",
    "SourceError",
    "builtin_definitions",
    "compare",
    "compare_results",
    "concentration",
    "database_source",
    "file_source",
    "identify",
    "load_definition_file",
    "parse_definition",
    "resolve_definition",
    "spark_session",
    "stability",
]
