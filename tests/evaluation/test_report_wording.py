"""Report wording that must say what was actually done (labels, matching order, tie rule)."""

from __future__ import annotations

from typing import Any

from openiom.evaluation import report


def _results(**matching: Any) -> dict[str, Any]:
    return {
        "data": {
            "people": 10,
            "events": 20,
            "data_end": "2024-12-31",
            "treated_listed": 5,
            "treated_follow_up_complete": 5,
            "comparison_window": None,
            "pool": {"supplied": 5},
        },
        "matching": {
            "ratio": 1,
            "replace": False,
            "order": "largest",
            "ties": "share",
            "caliper": 0.2,
            "caliper_width_logit": 0.1,
            "exact": [],
            "se_method": "cluster-robust, clustered by matched set",
            "sample_sizes": {
                "treated_matched": 5,
                "control_matched": 5,
                "treated_ess": 5.0,
                "control_ess": 5.0,
            },
            **matching,
        },
    }


def test_the_order_is_not_claimed_when_matching_with_replacement_ignores_it() -> None:
    text = report._cohort_section(_results(replace=True))
    assert "largest first" not in text
    assert "order does not matter with replacement" in text
    assert "largest first" in report._cohort_section(_results())


def test_the_tie_rule_is_stated() -> None:
    assert "equally near comparison people share the weight" in report._cohort_section(_results())
    assert "data order" in report._cohort_section(_results(ties="data"))
