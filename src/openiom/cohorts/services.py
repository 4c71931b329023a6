"""Writes for cohorts: saving a run's candidates, all or nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from openiom.access.selectors import people_visible_to
from openiom.cohorts.engine import CohortResult
from openiom.cohorts.models import Candidate, CohortRun
from openiom.people.models import Person

if TYPE_CHECKING:
    from openiom.accounts.models import User


class CandidateSaveError(ValueError):
    """A candidate cannot be matched to a person in the application database."""


def _person_ids(keys: list[str]) -> dict[str, int]:
    wanted: dict[str, set[str]] = {}
    for key in keys:
        system, _sep, source_id = key.partition(":")
        wanted.setdefault(system, set()).add(source_id)
    found: dict[str, int] = {}
    for system, ids in wanted.items():
        chunk = sorted(ids)
        for start in range(0, len(chunk), 500):
            rows = Person.objects.filter(source_system=system, source_id__in=chunk[start : start + 500])
            for pk, source_id in rows.values_list("pk", "source_id"):
                found[f"{system}:{source_id}"] = pk
    return found


@transaction.atomic
def cohort_run_save(*, result: CohortResult, user: User | None = None) -> CohortRun:
    """Record a run and its candidates with their reasons. Raises CandidateSaveError, writing nothing,
    if any candidate is not a person in this database (e.g. the run used files never imported)."""
    keys = [c.person_key for c in result.candidates]
    ids = _person_ids(keys)
    missing = [k for k in keys if k not in ids]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise CandidateSaveError(
            f"{len(missing)} candidate(s) are not people in the application database: {shown}; "
            "import the people first (iom import people)"
        )
    if user is not None:
        # Only people the user may analyse become candidates: a run on an extract cannot put people
        # from outside their schemes in front of their panel.
        visible = set(
            people_visible_to(user, "cohort.analyse").filter(pk__in=ids.values()).values_list("pk", flat=True)
        )
        outside = [k for k in keys if ids[k] not in visible]
        if outside:
            shown = ", ".join(outside[:5]) + (f" and {len(outside) - 5} more" if len(outside) > 5 else "")
            raise CandidateSaveError(
                f"{len(outside)} candidate(s) are outside the people {user.username} may analyse: {shown}; "
                "nothing was saved"
            )
    definition = result.definition
    run = CohortRun.objects.create(
        run_id=result.run_id,
        definition_id=definition.id,
        definition_version=definition.version,
        definition_title=definition.title,
        definition_source=definition.source,
        definition_sha256=definition.sha256,
        as_of=result.as_of,
        engine=result.engine,
        snapshot_id=result.snapshot_id,
        snapshot=result.snapshot,
        candidate_count=len(keys),
        created_by=user,
    )
    Candidate.objects.bulk_create(
        [
            Candidate(
                run=run,
                person_id=ids[c.person_key],
                summary=c.summary,
                reasons=[r.as_dict() for r in c.reasons],
            )
            for c in result.candidates
        ],
        batch_size=1000,
    )
    return run
