"""The analyst page through Django's test client: permission, validation and the numbers shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from tests.cohorts.world import World

pytestmark = pytest.mark.django_db
D = dt.date


def signed_in(role: Role) -> Client:
    user = user_create(
        username=f"t.{role.value}",
        password="correct horse battery staple",
        role=role,
        first_name="Test",
        last_name="User",
    )
    client = Client()
    client.force_login(user)
    return client


def load_world() -> None:
    w = World()
    for i in range(12):
        w.person(f"P{i:02d}")
        for k in range(i):
            w.event(f"P{i:02d}", "conviction", D(2025, 1, 5) + dt.timedelta(days=20 * k))
    w.load_database("default")


def test_partner_workers_cannot_open_the_page() -> None:
    assert signed_in(Role.PARTNER_WORKER).get("/cohorts/").status_code == 403


def test_bad_date_is_reported_against_the_field() -> None:
    response = signed_in(Role.ANALYST).get("/cohorts/", {"as_of": "2026-02-30"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and 'href="#id_as_of"' in text


def test_analysis_shows_chart_and_table_with_the_same_numbers() -> None:
    load_world()
    response = signed_in(Role.ANALYST).get(
        "/cohorts/",
        {"as_of": "2025-12-31", "definitions": ["persistent-six-convictions", "chronic-15-proven-offences"]},
    )
    text = response.content.decode()
    context: Any = response.context
    assert [(s["label"], s["size"]) for s in context["sizes"]] == [
        ("chronic-15-proven-offences@1", 0),
        ("persistent-six-convictions@1", 6),  # P06..P11 have 6+ convictions in 2025
    ]
    assert '<svg class="openiom-chart" role="img"' in text and '<title id="sizes-title">' in text
    assert context["concentration"].offenders == 11 and context["concentration"].offences == 66
