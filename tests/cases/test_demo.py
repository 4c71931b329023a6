"""The demo area has a live scheme with cases in every state."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from openiom.cases.models import Case, PanelDecision, ServiceReferral
from openiom.web.demo import demo_build

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_the_demo_scheme_has_cases_in_every_state(tmp_path: Path) -> None:
    demo_build(data_dir=tmp_path, people=600, seed=3, password="demo password 1", echo=lambda _: None)
    assert set(Case.objects.values_list("status", flat=True)) == {
        "referred",
        "deferred",
        "declined",
        "active",
        "exited",
    }
    assert set(ServiceReferral.objects.values_list("status", flat=True)) == {
        "sent",
        "accepted",
        "started",
        "completed",
        "disengaged",
        "declined",
        "no_provision",
    }
    assert set(PanelDecision.objects.values_list("decision", flat=True)) == {
        "adopt",
        "defer",
        "decline",
        "deselect",
    }
    assert Case.objects.filter(mappa_level__gt=0).exists()
    officer = Client()
    officer.post("/sign-in", {"username": "demo.police", "password": "demo password 1"})
    case = Case.objects.filter(status="active").first()
    assert case is not None
    assert officer.get("/cases/").status_code == 200
    assert officer.get(f"/cases/{case.pk}/").status_code == 200
    partner = Client()
    partner.post("/sign-in", {"username": "demo.partner", "password": "demo password 1"})
    assert b"Housing" in partner.get("/cases/referrals/").content
