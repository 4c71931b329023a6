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


def test_the_demo_is_believable(tmp_path: Path) -> None:
    """Each case agrees with its person's records, the panel's candidates are people the built-in
    definitions selected, and no two cases are the same case with another name."""
    from openiom.cases.demo import (
        DEMO_DEFINITION,
        DEMO_DEFINITION_SHA256,
        DEMO_DEFINITION_SOURCE,
        DEMO_DEFINITIONS,
        NEEDS,
    )
    from openiom.cases.models import Need, PanelReferral, Requirement
    from openiom.cohorts.engine import builtin_definitions
    from openiom.cohorts.models import Candidate, CohortRun
    from openiom.offending.models import OffendingEvent
    from openiom.offending.selectors import offending_summary

    demo_build(data_dir=tmp_path, people=600, seed=3, password="demo password 1", echo=lambda _: None)
    builtin = {d.id: d for d in builtin_definitions()}
    runs = list(CohortRun.objects.all())
    assert runs, "the demo saves cohort runs of the built-in definitions"
    for run in runs:
        assert run.candidate_count == run.candidates.count() > 0
        if run.definition_id == DEMO_DEFINITION:
            # The performance pages' planted scheme, stated as synthetic with its own rule's hash.
            assert run.definition_source == DEMO_DEFINITION_SOURCE
            assert run.definition_sha256 == DEMO_DEFINITION_SHA256
            continue
        assert run.definition_id in DEMO_DEFINITIONS
        assert run.definition_sha256 == builtin[run.definition_id].sha256
    assert {r.definition_id for r in runs} & set(DEMO_DEFINITIONS)

    cases = list(Case.objects.select_related("person"))
    # Adults, each person once.
    assert len({c.person_id for c in cases}) == len(cases)
    for case in cases:
        born, started = case.person.date_of_birth, case.start_date or case.updated_at.date()
        assert (started.year - born.year - ((started.month, started.day) < (born.month, born.day))) >= 18
    active = [c for c in cases if c.status == "active"]
    # Domestic-abuse flags only where the history shows domestic abuse.
    for case in active:
        history = OffendingEvent.objects.filter(person=case.person, domestic_abuse=True).exists()
        assert case.domestic_abuse == history, case.person
    # Decisions on candidates name the candidacy, and their rationale says which definition.
    for case in cases:
        if case.status in ("active", "deferred", "declined") and case.person.cohort_candidacies.exists():
            decision = case.decisions.order_by("decided_at").first()
            assert decision is not None and decision.candidate is not None
            assert decision.candidate.run.definition_title in decision.rationale
    # Referral reasons match the service and a recorded need of its pathway.
    by_service = {n.service: n for n in NEEDS}
    for referral in ServiceReferral.objects.select_related("case"):
        assert referral.reason == by_service[referral.service].referral_reason
        assert Need.objects.filter(case=referral.case, pathway=referral.pathway).exists()
    # An agency's panel referral quotes the person's record.
    for referral in PanelReferral.objects.select_related("case__person"):
        proven = offending_summary(
            person=referral.case.person, as_of=referral.referred_at.date()
        ).proven_offences
        assert f"{proven} proven offences" in referral.reason
    # No cloned cases: needs, requirements and contacts differ.
    signatures = {
        (
            tuple(sorted(Need.objects.filter(case=c).values_list("pathway", flat=True))),
            tuple(Requirement.objects.filter(plan__case=c).values_list("text", flat=True)),
            c.contacts.count(),
            c.start_date,
        )
        for c in active
    }
    assert len(signatures) == len(active)
    # A spread of streams, risk levels and start dates.
    assert {c.stream for c in active} == {"fixed", "flex", "free"}
    assert len({c.risk_level for c in active}) >= 2
    assert len({c.start_date for c in active}) == len(active)

    coordinator = Client()
    coordinator.post("/sign-in", {"username": "demo.coordinator", "password": "demo password 1"})
    panel = coordinator.get("/cases/panel/").content.decode()
    assert "Cohort candidate" in panel and "Deferred:" in panel
    assert any(run.definition_title in panel for run in runs)
    for person_id in Candidate.objects.values_list("person_id", flat=True)[:5]:
        page = coordinator.get(f"/cases/panel/{person_id}/").content.decode()
        assert "No cohort definition selected this person" not in page
        assert "Met:" in page
