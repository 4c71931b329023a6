"""The case-quality indicators count training, overrides and police work in others' lanes."""

from __future__ import annotations

import pytest
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.cases import services as cases
from openiom.cases.models import Case, Plan
from openiom.performance import indicators
from openiom.performance.selectors import indicator_facts
from tests.access.world import World

pytestmark = pytest.mark.django_db
REASON = "Only officer on the team this month; training booked for the 12th."


def _results(world: World) -> dict[str, indicators.IndicatorResult]:
    today = timezone.localdate()
    facts = indicator_facts(world.users[Role.COORDINATOR], world.scheme, today)
    return {r.definition.code: r for r in indicators.evaluate(facts, indicators.load_config(), today)}


def test_training_overrides_and_lanes_are_indicators(world: World) -> None:
    assert world.case is not None
    before = _results(world)
    assert before["trained_workers"].denominator == 0  # no flag: no training needed
    assert len(before["police_other_lanes"].numerator) == 0
    Case.objects.filter(pk=world.case.pk).update(domestic_abuse=True, police_worker=None)
    case = Case.objects.get(pk=world.case.pk)
    cases.case_transfer(
        user=world.users[Role.COORDINATOR],
        case=case,
        version=case.version,
        scheme=world.scheme,
        police_worker=world.users[Role.POLICE_OFFICER],
        probation_worker=case.probation_worker,
        reason="Reallocated within the team",
        training_override=REASON,
    )
    plan = Plan.objects.get(case=case)
    cases.plan_add_action(
        user=world.users[Role.POLICE_OFFICER],
        plan=plan,
        version=plan.version,
        text="Help with the benefits claim",
        owner_agency=world.police,
        due_date=case.start_date,  # type: ignore[arg-type]
        action_type="welfare",
    )
    after = _results(world)
    assert after["trained_workers"].denominator == 1 and after["trained_workers"].rate == 0
    assert [c.case_id for c in after["training_overrides"].numerator] == [case.pk]
    assert [c.case_id for c in after["police_other_lanes"].numerator] == [case.pk]
    assert after["police_other_lanes"].rag == indicators.RED


def test_the_national_return_counts_overrides_under_disclosure_control(world: World) -> None:
    from django.test import Client

    from tests.access.test_national import _table

    assert world.case is not None
    Case.objects.filter(pk=world.case.pk).update(domestic_abuse=True, police_worker=None)
    case = Case.objects.get(pk=world.case.pk)
    cases.case_transfer(
        user=world.users[Role.COORDINATOR],
        case=case,
        version=case.version,
        scheme=world.scheme,
        police_worker=world.users[Role.POLICE_OFFICER],
        probation_worker=case.probation_worker,
        reason="Reallocated within the team",
        training_override=REASON,
    )
    client = Client()
    client.force_login(world.users[Role.NATIONAL_VIEWER])
    page = client.get("/access/national").content.decode()
    schemes = {row[0]: row for row in _table(page, "People worked with, by scheme")}
    # One override is a small count: suppressed, never shown as 1.
    assert schemes[world.scheme.name][3] == "fewer than 5"
    assert schemes[world.other_scheme.name][3] in ("0", "fewer than 5", "withheld")
