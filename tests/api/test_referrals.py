"""A partner system's referrals through the API: its own agency's only, If-Match and Idempotency-Key."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.audit.models import AuditEvent
from openiom.cases.models import ServiceReferral
from tests.access.world import World, build_world
from tests.api.clients import bearer, registered, token_for

PROBLEM = "application/problem+json"


def partner(world: World) -> dict[str, str]:
    return bearer(token_for(registered(world, "recovery-cms", Role.PARTNER_WORKER, "PTR", ["S1"])))


def change(api: Client, referral_id: int, body: dict[str, str], **headers: str) -> object:
    return api.post(
        f"/api/v1/referrals/{referral_id}/status",
        json.dumps(body),
        content_type="application/json",
        **headers,
    )


@pytest.mark.django_db
def test_a_partner_lists_only_referrals_it_may_see() -> None:
    world = build_world()
    auth = partner(world)
    api = Client()
    listed = api.get("/api/v1/referrals", **auth).json()["results"]
    # The other scheme's referral is to the same agency, but no grant lets the partner see its person.
    assert [r["id"] for r in listed] == [world.referral.pk]  # type: ignore[union-attr]
    assert listed[0]["person"]["display_name"] == "TESTWORTH, Casey"
    assert api.get(f"/api/v1/referrals/{world.other_referral.pk}", **auth).status_code == 404  # type: ignore[union-attr]
    police = bearer(token_for(registered(world, "police-sync", Role.POLICE_OFFICER, "POL", ["S1"])))
    assert api.get("/api/v1/referrals", **police).status_code == 403


@pytest.mark.django_db
def test_a_stale_if_match_is_refused_and_never_overwrites() -> None:
    world = build_world()
    auth = partner(world)
    api = Client()
    referral = world.referral
    assert referral is not None
    read = api.get(f"/api/v1/referrals/{referral.pk}", **auth)
    etag = read["ETag"]
    today = timezone.localdate().isoformat()
    missing = change(api, referral.pk, {"status": "accepted", "on": today}, **auth)
    assert missing.status_code == 428 and missing.json()["errors"][0]["field"] == "If-Match"  # type: ignore[attr-defined]
    accepted = change(api, referral.pk, {"status": "accepted", "on": today}, HTTP_IF_MATCH=etag, **auth)
    assert accepted.status_code == 200, accepted.content  # type: ignore[attr-defined]
    assert accepted.json()["status"] == "accepted" and accepted["ETag"] != etag  # type: ignore[attr-defined, index]
    # The referral has moved on, so the ETag read before is stale: refused, nothing overwritten.
    stale = change(api, referral.pk, {"status": "started", "on": today}, HTTP_IF_MATCH=etag, **auth)
    assert stale.status_code == 412 and stale["Content-Type"] == PROBLEM  # type: ignore[attr-defined, index]
    referral.refresh_from_db()
    assert referral.status == "accepted"
    closing = change(
        api,
        referral.pk,
        {"status": "completed", "on": today},
        HTTP_IF_MATCH=accepted["ETag"],
        **auth,  # type: ignore[index]
    )
    # The cases service's own rules apply: an accepted referral starts before it completes.
    assert closing.status_code == 400  # type: ignore[attr-defined]
    assert {e["field"] for e in closing.json()["errors"]} == {"status"}  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(username="recovery-cms", action="referral.update").count() == 1


@pytest.mark.django_db
def test_a_retry_with_the_same_idempotency_key_changes_nothing_twice() -> None:
    world = build_world()
    auth = partner(world)
    api = Client()
    referral = world.referral
    assert referral is not None
    etag = api.get(f"/api/v1/referrals/{referral.pk}", **auth)["ETag"]
    body = {"status": "accepted", "on": timezone.localdate().isoformat()}
    first = change(api, referral.pk, body, HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY="k-1", **auth)
    retry = change(api, referral.pk, body, HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY="k-1", **auth)
    assert first.status_code == retry.status_code == 200  # type: ignore[attr-defined]
    assert first.json() == retry.json() and retry["Idempotency-Replayed"] == "true"  # type: ignore[attr-defined, index]
    assert ServiceReferral.objects.get(pk=referral.pk).version == referral.version + 1
    other = change(
        api,
        referral.pk,
        {**body, "reason": "different"},
        HTTP_IF_MATCH=etag,
        HTTP_IDEMPOTENCY_KEY="k-1",
        **auth,
    )
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_malformed_bodies_are_problems_naming_the_field() -> None:
    world = build_world()
    auth = partner(world)
    api = Client()
    referral = world.referral
    assert referral is not None
    etag = api.get(f"/api/v1/referrals/{referral.pk}", **auth)["ETag"]
    url = f"/api/v1/referrals/{referral.pk}/status"
    broken = api.post(url, "{not json", content_type="application/json", HTTP_IF_MATCH=etag, **auth)
    assert broken.status_code == 400 and broken["Content-Type"] == PROBLEM
    wrong_type = api.post(url, "status=accepted", content_type="text/plain", HTTP_IF_MATCH=etag, **auth)
    assert wrong_type.status_code == 415
    bad_date = change(
        api, referral.pk, {"status": "accepted", "on": "31/02/2026"}, HTTP_IF_MATCH=etag, **auth
    )
    assert [e["field"] for e in bad_date.json()["errors"]] == ["on"]  # type: ignore[attr-defined]
    assert ServiceReferral.objects.get(pk=referral.pk).version == referral.version
