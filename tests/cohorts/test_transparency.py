"""Transparency records: generated from the definition in the ATRS sections, edited by a
coordinator as draft revisions with the figures of their latest analysis, published, audited;
HTML and JSON; analysts read, only coordinators edit."""

from __future__ import annotations

import json

import pytest

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cohorts.models import TransparencyRecord
from tests.cohorts.test_definition_pages import member
from tests.cohorts.test_views import _jobs_inline, analyse, load_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_jobs_inline")]
__all__ = ["_jobs_inline"]
URL = "/cohorts/definitions/persistent-six-convictions/transparency/"


def test_a_generated_record_has_every_section_and_no_figures_before_an_analysis() -> None:
    client, _scheme = member(Role.COORDINATOR)
    page = client.get(URL).content.decode()
    for heading in (
        "Tier 1: summary",
        "Owner and responsibility",
        "Decision-making process and human oversight",
    ):
        assert heading in page
    assert "Not saved" in page and "No figures yet" in page and "Edit the record" in page
    document = json.loads(client.get(URL.rstrip("/") + ".json").content)
    assert document["standard"] == "UK Algorithmic Transparency Recording Standard"
    assert document["definition"]["id"] == "persistent-six-convictions" and document["status"] == "generated"
    assert [s["key"] for s in document["tier_1"]] == ["summary", "how_it_works", "why_used", "contact"]
    assert "Ethnicity is not used by the rule" in {s["key"]: s["text"] for s in document["tier_2"]}["data"]


def test_a_coordinator_edits_publishes_and_each_step_is_audited() -> None:
    load_world()
    client, scheme = member(Role.COORDINATOR)
    analyse(client, {"as_of": "2025-12-31", "definitions": ["persistent-six-convictions"]})
    form = client.get(URL + "edit/", {"scheme": scheme.pk}).context["form"]
    data = {k: v for k, v in form.initial.items()} | {"contact": "iom@north.example", "scheme": scheme.pk}
    saved = client.post(URL + "edit/", data)
    assert saved.status_code == 302
    record = TransparencyRecord.objects.get()
    assert (record.revision, record.status, record.content["contact"]) == (1, "draft", "iom@north.example")
    assert record.figures is not None and record.figures["as_of"] == "2025-12-31"
    assert record.definition_version == "1" and len(record.definition_sha256) == 64
    page = client.get(URL, {"scheme": scheme.pk}).content.decode()
    assert "iom@north.example" in page and "Publish revision 1" in page and "Selection rates by group" in page
    assert client.post(URL.rstrip("/") + "/publish?scheme=" + str(scheme.pk)).status_code == 302
    record.refresh_from_db()
    assert record.status == "published" and record.published_at is not None
    client.post(URL + "edit/", data | {"contact": "iom-team@north.example"})
    assert list(TransparencyRecord.objects.values_list("revision", "status")) == [
        (2, "draft"),
        (1, "published"),
    ]
    actions = list(
        AuditEvent.objects.filter(action__startswith="cohort.transparency").values_list("action", flat=True)
    )
    assert actions == ["cohort.transparency.save", "cohort.transparency.publish", "cohort.transparency.save"]
    document = json.loads(client.get(URL.rstrip("/") + ".json", {"scheme": scheme.pk}).content)
    assert document["revision"] == 2 and document["disproportionality"]["report"]["definition"] == (
        "persistent-six-convictions@1"
    )


def test_analysts_read_the_record_but_cannot_edit_or_publish() -> None:
    client, _scheme = member(Role.ANALYST)
    page = client.get(URL).content.decode()
    assert "Transparency record" in page and "Edit the record" not in page
    assert client.get(URL + "edit/").status_code == 403
    assert client.post(URL.rstrip("/") + "/publish").status_code == 403
    assert TransparencyRecord.objects.count() == 0
