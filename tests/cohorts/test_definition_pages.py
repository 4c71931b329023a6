"""Definition pages through Django's test client: read, copy into a scheme, edit as a new
version, the parser's errors shown against the field, who changed what audited, and running it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from openiom.access.models import Scheme, SchemeMembership
from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cohorts.models import SchemeDefinition
from tests.cohorts.test_views import _jobs_inline, analyse, load_world, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_jobs_inline")]
__all__ = ["_jobs_inline"]


def member(role: Role = Role.ANALYST, username: str = "") -> tuple[Client, Scheme]:
    client = signed_in(role, username=username)
    scheme, _ = Scheme.objects.get_or_create(code="NORTH", defaults={"name": "North IOM", "region": "North"})
    user = client.session["_auth_user_id"]
    SchemeMembership.objects.create(user_id=user, scheme=scheme)
    return client, scheme


def copied_text(client: Client) -> str:
    page = client.get("/cohorts/definitions/persistent-six-convictions/copy/")
    assert page.status_code == 200
    text: str = page.context["form"].initial["text"]
    return text


def test_a_definition_page_shows_title_source_rule_and_yaml() -> None:
    client, _ = member()
    page = client.get("/cohorts/definitions/ogrs3-high/").content.decode()
    assert "OGRS3 two-year score of 75% or more" in page
    assert "Howard, Francis, Soothill &amp; Humphreys (2009)" in page
    assert "OGRS3 two-year score (ogrs3) — horizon years: 2; at least percent: 75" in page
    assert "at_least_percent: 75" in page  # the YAML itself
    assert "Version 1, shipped with OpenIOM" in page
    assert client.get("/cohorts/definitions/").status_code == 200


def test_unknown_definitions_and_versions_are_not_found() -> None:
    client, _ = member()
    assert client.get("/cohorts/definitions/no-such-definition/").status_code == 404
    assert client.get("/cohorts/definitions/ogrs3-high/", {"version": "7"}).status_code == 404
    assert client.get("/cohorts/definitions/ogrs3-high/", {"version": "../x"}).status_code == 404


def test_partner_workers_cannot_read_definitions() -> None:
    assert signed_in(Role.PARTNER_WORKER).get("/cohorts/definitions/").status_code == 403


def test_copy_change_a_threshold_save_and_edit_as_a_new_version() -> None:
    client, scheme = member()
    text = copied_text(client)
    assert "\nid: persistent-six-convictions-copy\n" in text
    changed = text.replace("at_least: 6", "at_least: 5").replace(
        "id: persistent-six-convictions-copy", "id: north-five"
    )
    response = client.post(
        "/cohorts/definitions/persistent-six-convictions/copy/",
        {"scheme": scheme.pk, "text": changed, "note": "five instead of six"},
    )
    assert response.status_code == 302 and response["Location"] == "/cohorts/definitions/north-five/"
    saved = SchemeDefinition.objects.get(definition_id="north-five")
    assert (saved.version, saved.based_on, saved.scheme) == (1, "persistent-six-convictions@1", scheme)
    assert 'version: "1"' in saved.text and "at_least: 5" in saved.text
    audit = AuditEvent.objects.get(action="cohort.definition.save")
    assert audit.object_id == "north-five@1" and audit.username == "t.analyst"
    assert "-    at_least: 6" in audit.detail["diff"] and "+    at_least: 5" in audit.detail["diff"]

    edited = saved.text.replace("at_least: 5", "at_least: 4")
    response = client.post("/cohorts/definitions/north-five/edit/", {"text": edited, "note": "four"})
    assert response.status_code == 302
    assert list(
        SchemeDefinition.objects.filter(definition_id="north-five").values_list("version", flat=True)
    ) == [
        2,
        1,
    ]
    page = client.get("/cohorts/definitions/north-five/").content.decode()
    assert "north-five@2" in page and "at least: 4" in page and "five instead of six" in page
    old = client.get("/cohorts/definitions/north-five/", {"version": "1"}).content.decode()
    assert "north-five@1" in old and "at least: 5" in old
    latest = AuditEvent.objects.filter(action="cohort.definition.save").latest("pk")
    assert latest.detail["previous_version"] == 1 and "+    at_least: 4" in latest.detail["diff"]


def test_errors_are_the_command_lines_naming_the_key_and_nothing_is_saved() -> None:
    client, scheme = member()
    bad = copied_text(client).replace("at_least: 6", "at_least: 0")
    response = client.post(
        "/cohorts/definitions/persistent-six-convictions/copy/", {"scheme": scheme.pk, "text": bad}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and 'href="#id_text"' in page
    assert "definition: rule.count.at_least: Input should be greater than or equal to 1" in page
    not_yaml = client.post(
        "/cohorts/definitions/persistent-six-convictions/copy/",
        {"scheme": scheme.pk, "text": "id: [unclosed"},
    )
    assert "definition: line 1, column" in not_yaml.content.decode()
    same_id = client.post(
        "/cohorts/definitions/persistent-six-convictions/copy/",
        {"scheme": scheme.pk, "text": bad.replace("at_least: 0", "at_least: 2").replace("-copy", "")},
    )
    assert "is a built-in definition; give the copy an id of its own" in same_id.content.decode()
    assert not SchemeDefinition.objects.exists()
    assert not AuditEvent.objects.filter(action="cohort.definition.save").exists()


def test_a_new_version_keeps_its_id() -> None:
    client, scheme = member()
    text = copied_text(client).replace("-copy", "-north")
    client.post("/cohorts/definitions/persistent-six-convictions/copy/", {"scheme": scheme.pk, "text": text})
    renamed = SchemeDefinition.objects.get().text.replace("persistent-six-convictions-north", "other-id")
    response = client.post("/cohorts/definitions/persistent-six-convictions-north/edit/", {"text": renamed})
    assert "a new version keeps the id" in response.content.decode()
    assert SchemeDefinition.objects.count() == 1


def test_other_schemes_definitions_are_not_found_and_cannot_be_saved_into() -> None:
    client, scheme = member()
    text = copied_text(client).replace("-copy", "-north")
    client.post("/cohorts/definitions/persistent-six-convictions/copy/", {"scheme": scheme.pk, "text": text})
    outsider, _ = member(username="t.outsider")
    # The outsider moves to another scheme: North's definitions are no longer theirs to see.
    south = Scheme.objects.create(code="SOUTH", name="South IOM", region="South")
    SchemeMembership.objects.filter(user__username="t.outsider").update(scheme=south)
    assert outsider.get("/cohorts/definitions/persistent-six-convictions-north/").status_code == 404
    assert outsider.get("/cohorts/definitions/persistent-six-convictions-north/edit/").status_code == 404
    response = outsider.post(
        "/cohorts/definitions/persistent-six-convictions/copy/",
        {"scheme": scheme.pk, "text": text.replace("-north", "-south")},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert SchemeDefinition.objects.count() == 1


def test_a_saved_definition_runs_on_the_analysis_page() -> None:
    load_world()
    client, scheme = member()
    text = copied_text(client).replace("-copy", "-north").replace("at_least: 6", "at_least: 9")
    client.post("/cohorts/definitions/persistent-six-convictions/copy/", {"scheme": scheme.pk, "text": text})
    page = client.get("/cohorts/definitions/persistent-six-convictions-north/").content.decode()
    assert 'name="definitions" value="persistent-six-convictions-north"' in page
    response = analyse(
        client,
        {"as_of": dt.date(2025, 12, 31).isoformat(), "definitions": "persistent-six-convictions-north"},
    )
    sizes = {row["label"]: row["size"] for row in response.context["summary"]["sizes"]}
    assert list(sizes) == ["persistent-six-convictions-north@1"]
