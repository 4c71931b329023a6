"""Safe allocation: a case whose flags need training goes to staff holding it in date, or a
coordinator records why not; the override is kept, audited, listed and counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openiom.access.models import CoordinatorAlert
from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cases import services as cases
from openiom.cases.forms import TransferForm
from openiom.cases.models import Case
from openiom.workforce import selectors, services
from openiom.workforce.models import AllocationOverride, Course, TrainingRecord
from tests.access.world import World

pytestmark = pytest.mark.django_db
REASON = "Only officer on the team this month; training booked for the 12th."


def _da_case(world: World) -> Case:
    """The world case, flagged domestic abuse, with no key workers yet."""
    case = world.case
    assert case is not None
    Case.objects.filter(pk=case.pk).update(domestic_abuse=True, police_worker=None, probation_worker=None)
    case.refresh_from_db()
    return case


def _train(worker: object, code: str, days_ago: int = 30) -> None:
    course = Course.objects.get(code=code)
    services.training_record_add(
        user=worker,  # type: ignore[arg-type]
        worker=worker,
        course=course,
        completed_on=timezone.localdate() - timedelta(days=days_ago),
    )


def _transfer(world: World, case: Case, user: object, **extra: object) -> Case:
    return cases.case_transfer(
        user=user,  # type: ignore[arg-type]
        case=case,
        version=case.version,
        scheme=world.scheme,
        police_worker=world.users[Role.POLICE_OFFICER],
        probation_worker=None,
        reason="Reallocated within the team",
        **extra,  # type: ignore[arg-type]
    )


def test_an_untrained_worker_is_refused_and_nothing_changes(world: World) -> None:
    case = _da_case(world)
    with pytest.raises(cases.CaseError) as error:
        _transfer(world, case, world.users[Role.COORDINATOR])
    assert "Domestic-abuse perpetrator work" in error.value.errors["police_worker"]
    case.refresh_from_db()
    assert case.police_worker_id is None and not AllocationOverride.objects.exists()


def test_a_trained_worker_is_allocated_without_an_override(world: World) -> None:
    case = _da_case(world)
    _train(world.users[Role.POLICE_OFFICER], "domestic_abuse_perpetrator")
    moved = _transfer(world, case, world.users[Role.COORDINATOR])
    assert moved.police_worker_id == world.users[Role.POLICE_OFFICER].pk
    assert not AllocationOverride.objects.exists()


def test_expired_training_counts_as_none(world: World) -> None:
    case = _da_case(world)
    _train(world.users[Role.POLICE_OFFICER], "domestic_abuse_perpetrator", days_ago=800)  # 24 months
    with pytest.raises(cases.CaseError):
        _transfer(world, case, world.users[Role.COORDINATOR])


def test_a_coordinator_overrides_with_a_reason_which_is_kept_audited_listed_and_counted(world: World) -> None:
    case = _da_case(world)
    coordinator = world.users[Role.COORDINATOR]
    with pytest.raises(cases.CaseError) as short:
        _transfer(world, case, coordinator, training_override="busy")
    assert "training_override" in short.value.errors
    _transfer(world, case, coordinator, training_override=REASON)
    override = AllocationOverride.objects.get()
    assert override.worker == world.users[Role.POLICE_OFFICER] and override.reason == REASON
    assert override.courses == ["domestic_abuse_perpetrator"]
    assert AuditEvent.objects.filter(action="allocation.override", object_id=str(case.pk)).exists()
    figures = selectors.workforce_figures(coordinator, world.scheme)
    assert [o.pk for o in figures.overrides] == [override.pk]
    assert [(g.case.pk, g.worker.pk) for g in figures.gaps] == [(case.pk, override.worker_id)]
    now = timezone.now()
    assert selectors.override_counts([world.scheme.pk], now - timedelta(days=1), now + timedelta(days=1)) == {
        world.scheme.pk: 1
    }


def test_only_a_coordinator_may_override(world: World) -> None:
    case = _da_case(world)
    with pytest.raises(cases.CaseError) as error:
        _transfer(world, case, world.users[Role.POLICE_OFFICER], training_override=REASON)
    assert "Only a coordinator" in error.value.errors["training_override"]


def test_adoption_checks_the_workers_too(world: World) -> None:
    from openiom.people.models import Person

    person = Person.objects.get(source_id="P0001")
    coordinator = world.users[Role.COORDINATOR]
    cases.panel_refer(user=coordinator, scheme=world.scheme, person=person, reason="x" * 30, mappa_level=2)
    kwargs = {
        "user": coordinator,
        "scheme": world.scheme,
        "person": person,
        "decision": "adopt",
        "rationale": "Managed under MAPPA level 2, agreed by all agencies at panel.",
        "mappa_override": "The MAPPA panel agreed joint management under IOM.",
        "stream": "fixed",
        "lead_agency": world.police,
        "probation_worker": world.users[Role.PROBATION_PRACTITIONER],
        "start_date": timezone.localdate(),
    }
    with pytest.raises(cases.CaseError) as error:
        cases.panel_decide(**kwargs)  # type: ignore[arg-type]
    assert "MAPPA awareness" in error.value.errors["probation_worker"]
    case = cases.panel_decide(**kwargs, training_override=REASON)  # type: ignore[arg-type]
    assert AllocationOverride.objects.get().case == case


def test_the_transfer_form_offers_trained_staff_first(world: World) -> None:
    from openiom.accounts.services import user_create

    trained = user_create(
        username="w.trained", password="a long test password", role=Role.POLICE_OFFICER, last_name="Zed"
    )
    trained.agency = world.police
    trained.save()
    trained.scheme_memberships.create(scheme=world.scheme)
    _train(trained, "domestic_abuse_perpetrator")
    case = _da_case(world)
    form = TransferForm(
        schemes=world.scheme.__class__.objects.filter(pk=world.scheme.pk),
        needed=selectors.case_required_courses(case),
    )
    options = [label for value, label in form.fields["police_worker"].choices if value]
    assert options[0].startswith("Zed") or "w.trained" in options[0]
    assert "not trained for this case" in options[-1]


def test_a_flag_added_to_a_case_with_untrained_workers_alerts_the_coordinator(world: World) -> None:
    case = world.case
    assert case is not None
    officer = world.users[Role.POLICE_OFFICER]
    cases.case_risk_update(user=officer, case=case, version=case.version, safeguarding_children=True)
    alert = CoordinatorAlert.objects.get(group=services.ALERT_GROUP)
    assert alert.person == case.person and "Safeguarding children" in alert.message
    # Set again, nothing new is needed: no second alert.
    case.refresh_from_db()
    cases.case_risk_update(
        user=officer, case=case, version=case.version, safeguarding_children=True, gang=True
    )
    assert CoordinatorAlert.objects.filter(group=services.ALERT_GROUP).count() == 1


def test_a_worker_sees_their_own_records_only(world: World) -> None:
    officer, probation = world.users[Role.POLICE_OFFICER], world.users[Role.PROBATION_PRACTITIONER]
    _train(officer, "iom_induction")
    _train(probation, "safeguarding_adults")
    assert [r.course.code for r in selectors.own_records(officer)] == ["iom_induction"]
    assert TrainingRecord.objects.count() == 2


def test_a_coordinator_records_training_only_for_workers_of_their_schemes(world: World) -> None:
    from openiom.accounts.services import user_create
    from openiom.workforce.rules import WorkforceError

    elsewhere = user_create(username="w.elsewhere", password="a long test password", role=Role.POLICE_OFFICER)
    elsewhere.scheme_memberships.create(scheme=world.other_scheme)
    with pytest.raises(WorkforceError) as error:
        services.training_record_add(
            user=world.users[Role.COORDINATOR],
            worker=elsewhere,
            course=Course.objects.get(code="iom_induction"),
            completed_on=timezone.localdate(),
        )
    assert "worker" in error.value.errors and not TrainingRecord.objects.exists()


def test_the_training_alert_reads_as_one_on_the_alerts_page(world: World) -> None:
    from django.test import Client

    case = world.case
    assert case is not None
    cases.case_risk_update(
        user=world.users[Role.POLICE_OFFICER], case=case, version=case.version, domestic_abuse=True
    )
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    page = client.get("/access/alerts").content.decode()
    assert "Training needed for the case of" in page and "Domestic-abuse perpetrator work" in page
