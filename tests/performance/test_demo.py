"""The demo scheme exercises the performance pages: cases adopted over two years, a comparison group
from saved cohort runs, and a planted effect."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache

from openiom.accounts.models import User
from openiom.cases.demo import DEMO_DEFINITION
from openiom.cases.models import Case, CaseStatus
from openiom.cohorts.models import CohortRun
from openiom.performance import selectors
from openiom.synth.generate import DEFAULT_AS_OF
from openiom.web.demo import DEMO_EFFECT, demo_build

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_the_demo_scheme_has_cases_adopted_over_two_years_and_a_comparison_group(tmp_path: Path) -> None:
    cache.clear()
    demo_build(data_dir=tmp_path, people=8000, seed=3, password="demo password 1", echo=lambda _: None)
    planted = json.loads((tmp_path / "synthetic-area" / "iom-scheme" / "planted.json").read_text())
    assert planted["effect"] == DEMO_EFFECT and planted["removed_events"] > 0
    runs = CohortRun.objects.filter(definition_id=DEMO_DEFINITION)
    assert runs.count() >= 4
    adopted = Case.objects.filter(status=CaseStatus.ACTIVE, decisions__candidate__run__in=runs).distinct()
    starts = sorted(case.start_date for case in adopted)
    assert len(starts) >= 10
    assert starts[0] >= DEFAULT_AS_OF - timedelta(days=2 * 366) and starts[-1] <= DEFAULT_AS_OF
    coordinator = User.objects.get(username="demo.coordinator")
    scheme = selectors.scheme_for(coordinator, None)
    assert scheme is not None
    figures = selectors.dashboard(coordinator, scheme, months=12)
    proven = figures.comparison("proven")
    assert proven is not None and proven.comparison is not None and proven.did is not None
