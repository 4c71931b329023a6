"""The REST API with real clients, real tokens from /api/v1/token and the one permission check."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.people.models import Person
from tests.access.world import PASSWORD, build_world
from tests.api.clients import bearer, registered, token_for
from tests.conftest import iom

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "api" / "openapi.json"
PROBLEM = "application/problem+json"


@pytest.mark.django_db
def test_a_scheme_client_reads_its_people_and_not_another_schemes() -> None:
    world = build_world()
    police = registered(world, "police-sync", Role.POLICE_OFFICER, "POL", ["S1"])
    token = token_for(police)
    api = Client()
    found = api.get("/api/v1/people", {"q": "TESTWORTH"}, **bearer(token))
    assert found.status_code == 200, found.content
    results = found.json()["results"]
    assert [r["id"] for r in results] == [world.in_scope.pk]
    assert results[0]["identity"]["family_name"] == "TESTWORTH"
    person = api.get(f"/api/v1/people/{world.in_scope.pk}", **bearer(token))
    assert person.status_code == 200
    assert person.json()["offending"]["proven_offences"] >= 1
    # Another scheme's person answers exactly as a person who does not exist: 404, nothing about them.
    refused = api.get(f"/api/v1/people/{world.out_of_scope.pk}", **bearer(token))
    missing = api.get("/api/v1/people/999999", **bearer(token))
    assert refused.status_code == missing.status_code == 404
    assert refused["Content-Type"] == PROBLEM
    assert refused.json() == missing.json()
    assert b"ELSEWHERE" not in refused.content
    assert api.get("/api/v1/people", {"q": "ELSEWHERE"}, **bearer(token)).json()["results"] == []
    # Every call, reads and refusals included, is audited under the client's name.
    actions = list(AuditEvent.objects.filter(username="police-sync").values_list("action", flat=True))
    assert actions.count("api.token") == 1
    assert actions.count("person.search") == 2
    assert actions.count("person.view") == 1
    assert actions.count("api.call") == 2  # the two 404s


@pytest.mark.django_db
def test_a_partner_client_sees_only_people_referred_to_its_agency_and_granted_fields() -> None:
    world = build_world()
    token = token_for(registered(world, "recovery-cms", Role.PARTNER_WORKER, "PTR", ["S1"]))
    api = Client()
    assert api.get("/api/v1/people", {"q": "EXAMPLEPERSON"}, **bearer(token)).json()["results"] == []
    person = api.get(f"/api/v1/people/{world.in_scope.pk}", **bearer(token)).json()
    assert person["identity"]["family_name"] == "TESTWORTH"
    assert person["offending"] is None and person["field_groups"] == ["identity"]
    not_referred = Person.objects.get(source_id="P0001")
    assert api.get(f"/api/v1/people/{not_referred.pk}", **bearer(token)).status_code == 404
    # Reference data is every role's; an action the role lacks is a 403 problem document, audited.
    assert api.get("/api/v1/reference/datasets", **bearer(token)).status_code == 200


@pytest.mark.django_db
def test_a_role_without_the_action_is_refused_with_a_problem_document() -> None:
    world = build_world()
    token = token_for(registered(world, "analysis-platform", Role.ANALYST, "POL", ["S1"]))
    refused = Client().get("/api/v1/people", {"q": "TESTWORTH"}, **bearer(token))
    assert refused.status_code == 403 and refused["Content-Type"] == PROBLEM
    assert refused.json()["status"] == 403
    assert AuditEvent.objects.filter(
        username="analysis-platform", action="permission.denied", detail__via="api"
    ).exists()
    # Analysts see people by pseudonym only, through the same selectors as the pages.
    person = Client().get(f"/api/v1/people/{world.in_scope.pk}", **bearer(token)).json()
    assert person["pseudonymised"] is True and person["identity"] is None
    assert "TESTWORTH" not in json.dumps(person)


@pytest.mark.django_db
def test_an_expired_or_unknown_token_is_a_401_problem_document() -> None:
    world = build_world()
    token = token_for(registered(world, "police-sync", Role.POLICE_OFFICER, "POL", ["S1"]))
    api = Client()
    assert api.get("/api/v1/reference/datasets", **bearer(token)).status_code == 200
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    for headers in (bearer(token), bearer("not-a-token"), {}):
        response = api.get("/api/v1/reference/datasets", **headers)
        assert response.status_code == 401, headers
        assert response["Content-Type"] == PROBLEM
        assert response["WWW-Authenticate"].startswith("Bearer")
    wrong = api.post(
        "/api/v1/token", {"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"}
    )
    assert wrong.status_code == 401


@pytest.mark.django_db
def test_bad_parameters_are_a_400_naming_the_field() -> None:
    world = build_world()
    token = token_for(registered(world, "police-sync", Role.POLICE_OFFICER, "POL", ["S1"]))
    response = Client().get("/api/v1/people", **bearer(token))
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == "q"
    bad_cursor = Client().get("/api/v1/people", {"q": "A", "cursor": "bz1hYmM="}, **bearer(token))
    assert bad_cursor.status_code == 400 and bad_cursor.json()["errors"][0]["field"] == "cursor"


@pytest.mark.django_db
def test_cursor_pagination_walks_every_result_once() -> None:
    world = build_world()
    token = token_for(registered(world, "probation-sync", Role.PROBATION_PRACTITIONER, "PRB", ["S1"]))
    api = Client()
    everyone = {p.pk for p in Person.objects.filter(source_system="EXAMPLE")}
    seen: list[int] = []
    page = api.get("/api/v1/people", {"q": "e", "page_size": 2}, **bearer(token)).json()
    while True:
        assert len(page["results"]) <= 2
        seen.extend(r["id"] for r in page["results"])
        if not page["next"]:
            break
        page = api.get(page["next"], **bearer(token)).json()
    assert len(seen) == len(set(seen)) and set(seen) <= everyone and len(seen) > 2


@pytest.mark.django_db
def test_a_browser_session_needs_the_csrf_token_for_unsafe_methods() -> None:
    world = build_world()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users[Role.POLICE_OFFICER])
    assert browser.get("/api/v1/people", {"q": "TESTWORTH"}).status_code == 200
    refused = browser.post("/api/v1/people", {})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]


@pytest.mark.django_db
def test_only_an_administrator_registers_clients_from_the_command_line() -> None:
    world = build_world()
    admin = world.users[Role.ADMINISTRATOR]
    args = ["api", "register-client", "--name", "ndelius-sync", "--agency", "PRB", "--scheme", "S1"]
    result = iom([*args, "--role", "probation_practitioner"], user=admin, password=PASSWORD)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    lines = dict(line.split(":", 1) for line in result.output.splitlines() if ":" in line)  # type: ignore[attr-defined]
    from openiom.api.services import RegisteredClient

    client = RegisteredClient("ndelius-sync", lines["client_id"].strip(), lines["client_secret"].strip())
    token = token_for(client)
    assert Client().get(f"/api/v1/people/{world.in_scope.pk}", **bearer(token)).status_code == 200
    assert AuditEvent.objects.filter(action="api.register_client", username=admin.username).exists()
    again = iom([*args, "--role", "probation_practitioner"], user=admin, password=PASSWORD)
    assert again.exit_code == 1 and "already exists" in again.output  # type: ignore[attr-defined]
    bad = iom(
        ["api", "register-client", "--name", "x-y-z", "--agency", "PRB", "--role", "chief"],
        user=admin,
        password=PASSWORD,
    )
    assert bad.exit_code == 1 and "role 'chief'" in bad.output  # type: ignore[attr-defined]


def test_the_committed_schema_is_the_one_the_code_generates() -> None:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = json.loads(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert generated == committed, (
        "docs/api/openapi.json is stale: regenerate it with "
        "`iom manage spectacular --format openapi-json --file docs/api/openapi.json`"
    )
    assert committed["openapi"] == "3.1.0"


@pytest.mark.django_db
def test_the_live_schema_and_docs_page_are_served_without_a_cdn() -> None:
    api = Client()
    live = api.get("/api/v1/openapi.json")
    assert live.status_code == 200
    assert json.loads(live.content) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content and b"cdn" not in docs.content.lower()


def test_every_api_view_goes_through_the_one_permission_check() -> None:
    """The permission middleware defers API views to DRF; none may drop CentralPermission unless public."""
    from openiom.access.policy import PUBLIC, action_of
    from openiom.api.permissions import CentralPermission
    from tests.access.test_urls import routed

    api_views = [(name, view.view_class) for name, view, _ in routed() if name.startswith("api:")]
    assert len(api_views) >= 9
    for name, view_class in api_views:
        if action_of(view_class) == PUBLIC:
            continue
        assert getattr(view_class, "openiom_api", False), name
        assert CentralPermission in [type(p) for p in view_class().get_permissions()], name


@pytest.mark.django_db
def test_a_browser_session_without_two_factor_is_refused_when_it_is_required() -> None:
    from django.test import override_settings

    world = build_world()
    browser = Client()
    browser.force_login(world.users[Role.POLICE_OFFICER])  # signed in with a password, no second factor
    with override_settings(OPENIOM_REQUIRE_2FA=True):
        refused = browser.get("/api/v1/people", {"q": "TESTWORTH"})
    assert refused.status_code == 403 and refused["Content-Type"] == PROBLEM
    assert browser.get("/api/v1/people", {"q": "TESTWORTH"}).status_code == 200


def test_every_error_response_is_documented_as_a_problem_document() -> None:
    """Schemathesis found a 412 served as application/problem+json but documented as JSON."""
    document = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    wrong = [
        (path, method, code, sorted(response.get("content", {})))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for code, response in operation.get("responses", {}).items()
        if code[0] in "45" and sorted(response.get("content", {})) not in ([], ["application/problem+json"])
    ]
    assert wrong == []
