"""Lanes: plan actions carry a type from the configured list; the scheme's mapping says which kind
of agency should own each type; the Workforce page counts police-owned actions in others' lanes."""

from __future__ import annotations

import pytest
from django.test import Client

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cases import services as cases
from openiom.cases.lists import lists
from openiom.cases.models import Plan
from openiom.workforce import selectors
from tests.access.world import World

pytestmark = pytest.mark.django_db


def _action(world: World, action_type: str, agency: object, worker: object = None) -> None:
    assert world.case is not None
    plan = Plan.objects.get(case=world.case)
    cases.plan_add_action(
        user=world.users[Role.POLICE_OFFICER],
        plan=plan,
        version=plan.version,
        text=f"A {action_type} action",
        owner_agency=agency,  # type: ignore[arg-type]
        owner_worker=worker,
        due_date=world.case.start_date,  # type: ignore[arg-type]
        action_type=action_type,
    )


def test_action_types_are_a_configured_list_and_a_type_must_be_offered(world: World) -> None:
    assert {"enforcement", "welfare", "treatment", "accommodation", "employment", "family"} <= {
        t.code for t in lists().action_types
    }
    assert world.case is not None
    plan = Plan.objects.get(case=world.case)
    with pytest.raises(cases.CaseError) as error:
        cases.plan_add_action(
            user=world.users[Role.POLICE_OFFICER],
            plan=plan,
            version=plan.version,
            text="Something",
            owner_agency=world.police,
            due_date=world.case.start_date,  # type: ignore[arg-type]
            action_type="no_such_type",
        )
    assert "action_type" in error.value.errors


def test_police_owned_welfare_work_shows_by_worker_until_the_scheme_maps_it_to_police(world: World) -> None:
    officer, coordinator = world.users[Role.POLICE_OFFICER], world.users[Role.COORDINATOR]
    _action(world, "welfare", world.police, officer)
    _action(world, "welfare", world.police, officer)
    _action(world, "enforcement", world.police, officer)  # in the police lane
    _action(world, "welfare", world.probation)  # in probation's lane
    rows = selectors.police_actions_out_of_lane(coordinator, world.scheme)
    assert [(r.worker, r.action_type, r.actions) for r in rows] == [(officer, "welfare", 2)]
    page = Client()
    page.force_login(coordinator)
    assert "Welfare and support" in page.get("/workforce/").content.decode()
    saved = page.post(
        f"/workforce/lanes?scheme={world.scheme.code}", {"welfare": ["police", "probation", "partner"]}
    )
    assert saved.status_code == 302
    assert selectors.lane_map(world.scheme)["welfare"] == ["partner", "police", "probation"]
    assert selectors.police_actions_out_of_lane(coordinator, world.scheme) == []
    assert AuditEvent.objects.filter(action="lanes.manage", object_id=str(world.scheme.pk)).exists()
    # The other scheme keeps the default.
    assert selectors.lane_map(world.other_scheme)["welfare"] == ["probation", "partner"]
