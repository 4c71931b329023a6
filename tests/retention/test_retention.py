from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from openiom.access.models import PersonAccessGrant, SchemePerson
from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.audit.models import AuditEvent
from openiom.cases import services as cases
from openiom.cases.models import Case, CaseEvent, Need, PanelDecision, PlanVersion, ServiceReferral
from openiom.cohorts.models import Candidate, CohortRun
from openiom.evaluation.models import EvaluationRun, RunStatus
from openiom.offending.models import OffendingEvent
from openiom.people.models import Person
from openiom.retention.services import (
    ANONYMISED,
    RetentionError,
    Rule,
    load_rules,
    retention_review_apply,
    retention_review_approve,
    retention_review_create,
)
from tests.access.world import build_world

pytestmark = pytest.mark.django_db
LATER = date(2040, 1, 1)  # far enough ahead that the example records are past retention


def test_rules_file_is_valid_and_bad_rules_are_named(tmp_path: Path) -> None:
    assert {r.record_type for r in load_rules()} == {
        "person",
        "offending_event",
        "coordinator_alert",
        "iom_case",
        "evaluation_run",
        "cohort_run",
    }
    bad = tmp_path / "rules.yaml"
    bad.write_text("person:\n  keep_years: 0\n  action: anonymise\n")
    with pytest.raises(
        RetentionError, match=r"person\.keep_years must be a whole number of years, at least 1"
    ):
        load_rules(bad)
    bad.write_text("person:\n  keep_years: 5\n  action: delete\n")
    with pytest.raises(RetentionError, match=r"person\.action must be 'anonymise'"):
        load_rules(bad)


def test_nothing_changes_without_an_approval() -> None:
    build_world()
    (review,) = retention_review_create(today=LATER, rules=[Rule("offending_event", 10, "delete")])
    assert len(review.record_ids) == OffendingEvent.objects.count() == 9
    with pytest.raises(RetentionError, match="has not been approved; nothing was changed"):
        retention_review_apply(review=review)
    assert OffendingEvent.objects.count() == 9


def test_only_administrators_approve() -> None:
    world = build_world()
    (review,) = retention_review_create(today=LATER, rules=[Rule("offending_event", 10, "delete")])
    with pytest.raises(RetentionError, match="may not approve retention"):
        retention_review_approve(review=review, user=world.users[Role.COORDINATOR], reason="tidy")


def test_the_permission_not_the_role_decides_who_approves() -> None:
    world = build_world()
    (review,) = retention_review_create(today=LATER, rules=[Rule("offending_event", 10, "delete")])
    admin = world.users[Role.ADMINISTRATOR]
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    with pytest.raises(RetentionError, match=r"may not approve retention \(retention\.manage\)"):
        retention_review_approve(review=review, user=admin, reason="tidy")
    review.refresh_from_db()
    assert review.approved_at is None


def test_approved_review_deletes_and_anonymises_and_is_audited() -> None:
    world = build_world()
    admin = world.users[Role.ADMINISTRATOR]
    events, people = retention_review_create(
        today=LATER, rules=[Rule("offending_event", 10, "delete"), Rule("person", 10, "anonymise")]
    )
    # People an IOM scheme works with are never anonymised by retention.
    assert world.in_scope.pk not in people.record_ids and world.out_of_scope.pk not in people.record_ids
    for review in (events, people):
        retention_review_approve(review=review, user=admin, reason="Past the force retention period")
        retention_review_apply(review=review)
    assert OffendingEvent.objects.count() == 0
    anonymised = Person.objects.get(source_id="P0001")
    assert (anonymised.family_name, anonymised.pnc_id, anonymised.aliases) == (ANONYMISED, None, "")
    assert Person.objects.get(pk=world.in_scope.pk).family_name == "TESTWORTH"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"retention.review", "retention.approve", "retention.delete", "retention.anonymise"} <= actions
    with pytest.raises(RetentionError, match="already applied"):
        retention_review_apply(review=events)


def test_recent_records_are_kept() -> None:
    build_world()
    user_create(username="admin2", password="a long test password", role=Role.ADMINISTRATOR)
    (review,) = retention_review_create(rules=[Rule("offending_event", 25, "delete")])
    assert review.record_ids == []


def _approve_and_apply(rule: Rule, admin: Any) -> tuple[list[int], int]:
    (review,) = retention_review_create(today=LATER, rules=[rule])
    retention_review_approve(review=review, user=admin, reason="Past the scheme's retention period")
    return review.record_ids, retention_review_apply(review=review)


def test_exited_case_goes_with_its_records_and_the_person_leaves_the_scheme() -> None:
    world = build_world()
    case, person, admin = world.case, world.in_scope, world.users[Role.ADMINISTRATOR]
    assert case is not None and world.other_case is not None
    officer = world.users[Role.POLICE_OFFICER]
    cases.need_save(user=officer, case=case, version=case.version, pathway="accommodation", level="high")
    case.refresh_from_db()
    grant_id = world.referral.grant_id
    cases.case_exit(
        user=officer, case=case, version=case.version, reason="Stepped down after review", on=date(2030, 1, 1)
    )
    # 2040 less six years is 2034: the exit in 2030 is past retention, the active case is not.
    ids, count = _approve_and_apply(Rule("iom_case", 6, "delete"), admin)
    assert ids == [case.pk] and count == 1
    assert not Case.objects.filter(pk=case.pk).exists()
    for model in (Need, ServiceReferral, CaseEvent):
        assert not model.objects.filter(case_id=case.pk).exists()
    assert not PlanVersion.objects.filter(plan__case_id=case.pk).exists()
    assert not PersonAccessGrant.objects.filter(pk=grant_id).exists()
    assert not SchemePerson.objects.filter(scheme=world.scheme, person=person).exists()
    assert Case.objects.filter(pk=world.other_case.pk).exists()
    assert AuditEvent.objects.filter(action="retention.delete", object_type="iom_case").exists()
    # With the case gone, the person can now fall under the person rule.
    (people,) = retention_review_create(today=LATER, rules=[Rule("person", 10, "anonymise")])
    assert person.pk in people.record_ids


def test_finished_evaluation_runs_go_with_their_folder_and_nothing_outside_it(
    tmp_path: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world = build_world()
    admin, analyst = world.users[Role.ADMINISTRATOR], world.users[Role.ANALYST]
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path / "evaluations")
    inside, outside = tmp_path / "evaluations" / "run1", tmp_path / "elsewhere"
    for folder in (inside / "inputs", outside):
        folder.mkdir(parents=True)
        (folder / "treated.csv").write_text("person_key\nSYNTH:P0001\n")
    finished = timezone.now() - timedelta(days=1)
    done, stray = (
        EvaluationRun.objects.create(
            created_by=analyst,
            title=title,
            config_text="title: x\n",
            status=RunStatus.SUCCEEDED,
            finished_at=finished,
            output_dir=str(folder),
        )
        for title, folder in (("done", inside), ("stray", outside))
    )
    with django_capture_on_commit_callbacks(execute=True):
        ids, count = _approve_and_apply(Rule("evaluation_run", 2, "delete"), admin)
    # The world's running run is not finished, so it is kept.
    assert sorted(ids) == sorted([done.pk, stray.pk]) and count == 2
    assert EvaluationRun.objects.filter(pk=world.evaluation_run.pk).exists()
    assert not EvaluationRun.objects.filter(pk__in=[done.pk, stray.pk]).exists()
    assert not inside.exists()
    assert (outside / "treated.csv").exists()  # never a folder outside the evaluations folder


def _cohort_run(run_id: str, people: list[Person]) -> CohortRun:
    run = CohortRun.objects.create(
        run_id=run_id,
        definition_id="example",
        definition_version="1.0",
        definition_title="Example",
        definition_source="id: example\n",
        definition_sha256="0" * 64,
        as_of=date(2026, 1, 1),
        engine="duckdb",
        snapshot_id="s",
        candidate_count=len(people),
    )
    Candidate.objects.bulk_create(
        Candidate(run=run, person=p, summary="selected", reasons=[]) for p in people
    )
    return run


def test_cohort_runs_go_with_their_candidates_unless_a_panel_decided_on_one() -> None:
    world = build_world()
    admin, officer = world.users[Role.ADMINISTRATOR], world.users[Role.POLICE_OFFICER]
    people = list(Person.objects.filter(source_id__in=["P0001", "P0002"]))
    undecided, decided = _cohort_run("old", people), _cohort_run("decided", [world.in_scope])
    PanelDecision.objects.create(
        case=world.case,
        decision="adopt",
        rationale="Selected by the cohort run",
        candidate=decided.candidates.get(),
        effective_on=date(2026, 1, 2),
        decided_by=officer,
    )
    ids, count = _approve_and_apply(Rule("cohort_run", 2, "delete"), admin)
    assert ids == [undecided.pk] and count == 1
    assert not Candidate.objects.filter(run_id=undecided.pk).exists()
    assert CohortRun.objects.filter(pk=decided.pk).exists()
    assert AuditEvent.objects.filter(action="retention.delete", object_type="cohort_run").exists()
    # Once the case and its decisions are gone, the run can go too.
    world.case.delete()
    (review,) = retention_review_create(today=LATER, rules=[Rule("cohort_run", 2, "delete")])
    assert review.record_ids == [decided.pk]
    (recent,) = retention_review_create(rules=[Rule("cohort_run", 2, "delete")])
    assert recent.record_ids == []  # saved today: within the period
