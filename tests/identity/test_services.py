"""Identity resolution in the application database: imports, review decisions, unmerges, and every
reader seeing one person with all of their events."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from django.core.exceptions import ValidationError

from openiom.audit.models import AuditEvent
from openiom.cohorts.engine.sources import database_source
from openiom.identity import selectors, services
from openiom.identity.models import MatchCandidate, PersonLink, ReviewStatus
from openiom.imports.services import events_import, people_import
from openiom.offending.selectors import offending_summary, timeline_for
from openiom.people.models import Person
from openiom.reference.datafiles import builtin_directory
from openiom.reference.services import reference_dataset_load

pytestmark = pytest.mark.django_db
PEOPLE_COLUMNS = [
    "source_system",
    "source_id",
    "pnc_id",
    "probation_crn",
    "local_police_id",
    "family_name",
    "given_names",
    "aliases",
    "date_of_birth",
    "sex",
    "ethnicity",
]


@pytest.fixture(autouse=True)
def reference() -> None:
    reference_dataset_load(directory=builtin_directory())


def write_people(path: Path, rows: list[dict[str, str]]) -> Path:
    frame = pd.DataFrame([{c: row.get(c, "") for c in PEOPLE_COLUMNS} for row in rows])
    frame.to_csv(path, index=False)
    return path


def write_events(path: Path, system: str, person: str, ids: list[str]) -> Path:
    rows = [
        {
            "source_system": system,
            "source_id": event_id,
            "person_source_id": person,
            "pnc_id": "",
            "event_type": "conviction",
            "offence_date": f"2024-0{i + 1}-01",
            "outcome_date": f"2024-0{i + 1}-10",
            "offence_code": "028/01",
            "disposal": "fine",
        }
        for i, event_id in enumerate(ids)
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


POLICE = {
    "source_system": "POLICE",
    "source_id": "PO1",
    "pnc_id": "2010/0123456T",
    "local_police_id": "LP-1",
    "family_name": "EXAMPLESMITH",
    "given_names": "Jonathan",
    "date_of_birth": "1991-04-03",
    "sex": "M",
}
PROBATION = {
    "source_system": "PROBATION",
    "source_id": "PR1",
    "pnc_id": "2010/0123456T",
    "probation_crn": "X123456",
    "family_name": "EXAMPLESMITH",
    "given_names": "Jonathan",
    "date_of_birth": "1991-04-03",
    "sex": "M",
}


def engine_source() -> object:
    """The cohort engine's source on the test database, through Django's connection, unscoped."""
    import ibis
    from django.db import connection

    from openiom.cohorts.selectors import _NoCommit

    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "sqlite":
        return database_source(ibis.sqlite.from_connection(_NoCommit(raw)))
    return database_source(ibis.postgres.from_connection(raw))


def import_pair(tmp_path: Path, probation: dict[str, str] = PROBATION) -> tuple[Person, Person]:
    assert people_import(path=write_people(tmp_path / "police.csv", [POLICE])).ok
    result = people_import(path=write_people(tmp_path / "probation.csv", [probation]))
    assert result.ok
    return Person.objects.get(source_id="PO1"), Person.objects.get(source_id="PR1")


def test_a_second_source_with_the_same_pnc_name_and_birth_date_joins_the_existing_person(
    tmp_path: Path,
) -> None:
    police, probation = import_pair(tmp_path)
    # Both source records are kept; the newer one belongs to the person the older one stands for.
    assert selectors.canonical_id(probation.pk) == police.pk
    assert selectors.member_ids(police.pk) == [police.pk, probation.pk]
    assert AuditEvent.objects.filter(action="link.run").exists()


def test_every_reader_sees_one_person_with_the_events_of_both_records(tmp_path: Path) -> None:
    police, probation = import_pair(tmp_path)
    assert events_import(path=write_events(tmp_path / "pe.csv", "POLICE", "PO1", ["E1", "E2"])).ok
    assert events_import(path=write_events(tmp_path / "re.csv", "PROBATION", "PR1", ["E3"])).ok
    # Case and person pages.
    assert len(timeline_for(person=police)) == 3
    assert offending_summary(person=police, as_of=date(2026, 1, 1)).convictions == 3
    # Cohort rules, counts and evaluation histories read the database through the engine's source.
    # Borrowed from Django's connection, so not closed here.
    source = engine_source()
    people = source.backend.to_pandas(source.people)
    events = source.backend.to_pandas(source.events)
    assert list(people["pid"]) == [police.pk]
    assert sorted(events["pid"]) == [police.pk] * 3
    # Unmerged, each record has its own events again and nothing was lost.
    services.unmerge(record=probation, reason="Different people: checked with probation", user=None)
    assert len(timeline_for(person=police)) == 2
    assert len(timeline_for(person=probation)) == 1


def test_conflicting_dates_of_birth_for_one_pnc_id_wait_for_review(tmp_path: Path) -> None:
    police, probation = import_pair(tmp_path, {**PROBATION, "date_of_birth": "1985-12-25"})
    assert selectors.canonical_id(probation.pk) == probation.pk
    candidate = MatchCandidate.objects.get()
    assert (candidate.left_id, candidate.right_id) == (police.pk, probation.pk)
    assert "dates of birth" in candidate.why
    assert candidate.status == ReviewStatus.PENDING


def test_a_review_decision_needs_a_reason_then_merges_and_is_audited(tmp_path: Path) -> None:
    import_pair(tmp_path, {**PROBATION, "date_of_birth": "1985-12-25"})
    candidate = MatchCandidate.objects.get()
    with pytest.raises(ValidationError) as exc:
        services.decide(candidate=candidate, same=True, reason="  ", user=None)
    assert "reason" in exc.value.message_dict
    services.decide(candidate=candidate, same=True, reason="Same person: birth date mistyped", user=None)
    assert selectors.canonical_id(candidate.right_id) == candidate.left_id
    event = AuditEvent.objects.get(action="link.merge")
    assert event.detail["reason"] == "Same person: birth date mistyped"
    with pytest.raises(ValidationError):
        services.decide(candidate=candidate, same=False, reason="again", user=None)


def test_different_people_stay_apart_and_an_unmerge_survives_the_next_run(tmp_path: Path) -> None:
    _, probation = import_pair(tmp_path)
    services.unmerge(record=probation, reason="Probation confirm a different man", user=None)
    assert not PersonLink.objects.exists()
    assert Person.objects.count() == 2
    assert AuditEvent.objects.filter(action="link.unmerge").count() == 1
    services.run_linkage(user=None)
    assert selectors.canonical_id(probation.pk) == probation.pk
    with pytest.raises(ValidationError):
        services.unmerge(record=probation, reason="again", user=None)


def test_a_pnc_id_on_two_people_in_one_source_is_reported_not_merged(tmp_path: Path) -> None:
    other = {
        **POLICE,
        "source_id": "PO2",
        "local_police_id": "LP-2",
        "family_name": "SAMPLEFORD",
        "given_names": "Grace",
        "sex": "F",
        "date_of_birth": "1991-04-03",
    }
    assert people_import(path=write_people(tmp_path / "police.csv", [POLICE])).ok
    result = people_import(
        path=write_people(
            tmp_path / "probation.csv",
            [
                PROBATION,
                {
                    **other,
                    "source_system": "PROBATION",
                    "source_id": "PR2",
                    "probation_crn": "X654321",
                    "local_police_id": "",
                },
            ],
        )
    )
    assert result.ok and result.linkage is not None
    messages = [p.message for p in result.linkage.problems]
    assert any("PNC ID 2010/0123456T" in m for m in messages), messages
    grace = Person.objects.get(source_id="PR2")
    assert selectors.canonical_id(grace.pk) == grace.pk
