"""Outcomes drawn from the case records ("accommodation need met within 6 months", "education, training
and employment support started within 3 months"), evaluated like reoffending through `iom evaluate` and
the web page, on eleven hand-made people whose values are worked out by hand below."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.template.defaultfilters import floatformat
from django.test import Client

from openiom.access.models import Agency, AgencyKind, Scheme, SchemeMembership
from openiom.accounts.roles import Role
from openiom.cases.models import Case, CaseStatus, Need, ReferralOutcome, ReferralStatus, ServiceReferral
from openiom.evaluation import services
from openiom.evaluation.config import ConfigError, parse_config
from openiom.evaluation.models import RunStatus
from openiom.people.models import Person
from tests.conftest import cli_user, iom
from tests.evaluation.conftest import EVENT_HEADER, PEOPLE_HEADER, person, write_csv

pytestmark = pytest.mark.django_db

INDEX = "2022-01-10"  # everyone's index date; 6 months: [10 Jan, 10 Jul 2022), 3 months: [10 Jan, 10 Apr)
SEX = {"T1": "M", "T2": "M", "T3": "M", "T4": "F", "T5": "F", "T6": "F"} | {
    "C1": "M",
    "C2": "M",
    "C3": "M",
    "C4": "F",
    "C5": "F",
    "C6": "F",
    "C7": "F",
}
CASE_OUTCOMES = [
    {"name": "housed_6m", "kind": "need_met", "pathway": "accommodation", "within_months": 6},
    {"name": "ete_started_3m", "kind": "treatment_started", "pathway": "ete", "within_months": 3},
]
# Matching on sex with replacement and no caliper: every treated person's set is every comparison person
# of the same sex (all equally near, so they share its weight). Men: 3 treated, 3 comparison with a case
# (C1-C3; weight 1 each); women: 3 treated, 4 comparison (C4-C7; 3/4 each); scaled so the 7 comparison
# people average 1: men 7/6, women 7/8.
#
# housed_6m (accommodation need met within 6 months):
#   T1 met 1 Mar -> 1; T2 engaged and met 9 Jul -> 1; T3 met on 10 Jul (outside) -> 0; T4 no need -> none;
#   T5 met before the index date -> 0; T6 met 1 Jun -> 1.   treated 3/5 = 0.6
#   C1 need, no referral -> 0; C2 met 1 Apr -> 1; C3 completed, need not met -> 0 (men, 7/6 each);
#   C4 no case -> none; C5 case in another scheme -> none; C6 engaged and met 1 May -> 1; C7 met 1 Aug
#   (outside) -> 0 (women, 7/8 each).       comparison (7/6 + 7/8) / (3 x 7/6 + 2 x 7/8) = 7/18
#   Regression-adjusted (saturated in sex): men 2/3 - 1/3 = 1/3, women 1/2 - 1/2 = 0, weighted by the
#   treated with a value (3 men, 2 women): 3/5 x 1/3 = 0.2.
# ete_started_3m (education, training and employment support started within 3 months):
#   T1 started 1 Feb -> 1; T2 started 1 May -> 0; T3 no need -> none; T4 started 9 Apr -> 1;
#   T5 referred, not started -> 0; T6 no referral -> 0.     treated 2/5 = 0.4
#   C1 started on the index date -> 1; C2 no referral -> 0; C3 started before -> 0; C6 started 10 Apr
#   (outside) -> 0; C7 started 15 Mar -> 1.                  comparison (7/6 + 7/8) / (21/4) = 7/18
#   Regression-adjusted: men 1/2 - 1/3 = 1/6, women 1/3 - 1/2 = -1/6; treated 2 men, 3 women:
#   2/5 x 1/6 - 3/5 x 1/6 = -1/30.
EXPECTED = {"housed_6m": (0.6, 7 / 18, 0.2), "ete_started_3m": (0.4, 7 / 18, -1 / 30)}


def write_folder(folder: Path, **extra: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    people = [person(pid, sex=sex) for pid, sex in SEX.items()]
    write_csv(folder / "people.csv", PEOPLE_HEADER, people)
    write_csv(folder / "events.csv", EVENT_HEADER, [])
    for name, prefix in (("treated.csv", "T"), ("pool.csv", "C")):
        rows = [{"source_id": pid, "index_date": INDEX} for pid in SEX if pid.startswith(prefix)]
        write_csv(folder / name, ["source_id", "index_date"], rows)
    config = {
        "title": "Housing support",
        "data": {
            "people": "people.csv",
            "events": "events.csv",
            "treated": "treated.csv",
            "pool": "pool.csv",
        },
        "data_end": "2024-12-31",
        "covariates": {"history": ["sex"]},
        "matching": {"replace": True, "caliper": None},
        "min_cohort": 2,
        "outcomes": ["proven_reoffending"],
        "case_outcomes": CASE_OUTCOMES,
        "subgroups": {"age_band": False, "offence_type": False},
        **extra,
    }
    (folder / "evaluation.yaml").write_text(yaml.safe_dump(config))
    return folder / "evaluation.yaml"


def _case(scheme: Scheme, pid: str) -> Case:
    someone = Person.objects.create(
        source_system="SYNTH",
        source_id=pid,
        family_name="Synthetic",
        given_names="Test",
        date_of_birth=date(1990, 1, 1),
        sex=SEX[pid],
    )
    return Case.objects.create(scheme=scheme, person=someone, status=CaseStatus.ACTIVE, stream="fixed")


def _referral(case: Case, agency: Agency, pathway: str, **fields: Any) -> None:
    ServiceReferral.objects.create(
        case=case,
        agency=agency,
        pathway=pathway,
        service="support",
        reason="test",
        sent_on=date(2021, 12, 1),
        **fields,
    )


def _met(on: str, outcome: str = ReferralOutcome.TREATMENT_COMPLETED) -> dict[str, Any]:
    status = ReferralStatus.DISENGAGED if outcome == ReferralOutcome.ENGAGED else ReferralStatus.COMPLETED
    return {"status": status, "outcome": outcome, "closed_on": date.fromisoformat(on)}


def _started(on: str) -> dict[str, Any]:
    return {"status": ReferralStatus.STARTED, "started_on": date.fromisoformat(on)}


@pytest.fixture
def records() -> Any:
    """The case records of the hand-worked example, and an analyst of the scheme who may see them."""
    agency = Agency.objects.create(code="HOUSE", name="Housing service", kind=AgencyKind.PARTNER)
    scheme = Scheme.objects.create(code="S1", name="Example IOM", region="North")
    other = Scheme.objects.create(code="S2", name="Other IOM", region="South")
    cases = {pid: _case(scheme, pid) for pid in SEX if pid not in ("C4", "C5")}
    cases["C5"] = _case(other, "C5")
    need = {pid: "high" for pid in SEX} | {"T4": "none"}
    for pid, case in cases.items():
        Need.objects.create(case=case, pathway="accommodation", level=need[pid])
        if pid != "T3":
            Need.objects.create(case=case, pathway="ete", level="medium")
    housing = {
        "T1": _met("2022-03-01"),
        "T2": _met("2022-07-09", ReferralOutcome.ENGAGED),
        "T3": _met("2022-07-10"),
        "T5": _met("2022-01-05"),
        "T6": _met("2022-06-01"),
        "C2": _met("2022-04-01"),
        "C3": _met("2022-03-01", ReferralOutcome.COMPLETED_NOT_MET),
        "C5": _met("2022-03-01"),
        "C6": _met("2022-05-01", ReferralOutcome.ENGAGED),
        "C7": _met("2022-08-01"),
    }
    ete = {
        "T1": _started("2022-02-01"),
        "T2": _started("2022-05-01"),
        "T4": _started("2022-04-09"),
        "T5": {"status": ReferralStatus.SENT},
        "C1": _started("2022-01-10"),
        "C3": _started("2021-12-01"),
        "C6": _started("2022-04-10"),
        "C7": _started("2022-03-15"),
    }
    for pathway, referrals in (("accommodation", housing), ("ete", ete)):
        for pid, fields in referrals.items():
            _referral(cases[pid], agency, pathway, **fields)
    analyst: Any = cli_user(Role.ANALYST, systems=("SYNTH",))
    SchemeMembership.objects.create(user=analyst, scheme=scheme)
    return analyst


def _check_results(results: dict[str, Any]) -> None:
    for name, (treated, comparison, adjusted) in EXPECTED.items():
        est = results["outcomes"][name]["estimate"]
        assert (est["n_treated"], est["n_control"]) == (5, 5)
        assert est["treated_mean"] == pytest.approx(treated, abs=1e-12)
        assert est["control_mean"] == pytest.approx(comparison, abs=1e-12)
        assert est["difference"] == pytest.approx(treated - comparison, abs=1e-12)
        assert results["outcomes"][name]["kind"] == "rate"
        regression = results["outcomes"][name]["regression_adjusted"]
        assert regression["difference"] == pytest.approx(adjusted, abs=1e-9)
        assert regression["ci_low"] < regression["difference"] < regression["ci_high"]
        assert results["outcomes"][name]["e_value"]["e_value"] > 1
    housed = results["outcomes"]["housed_6m"]
    assert housed["label"] == "Accommodation need met within 6 months"
    assert "had their accommodation need met within 6 months" in housed["plain_language"]
    assert "reoffen" not in housed["plain_language"]
    started = results["outcomes"]["ete_started_3m"]
    assert (
        started["label"]
        == "Treatment or support started for education, training and employment within 3 months"
    )
    assert (
        "started treatment or support for education, training and employment within 3 months"
        in (started["plain_language"])
    )
    assert (
        results["case_outcomes"]["housed_6m"]["population"]
        == "people whose case records a need for accommodation"
    )
    assert results["inputs"]["case_records"]["rows"] > 0


def test_case_outcomes_through_iom_evaluate(records: Any, tmp_path: Path) -> None:
    config = write_folder(tmp_path / "data")
    result: Any = iom(["evaluate", str(config), "--out", str(tmp_path / "out"), "--quiet"], user=records)
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    _check_results(results)
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Accommodation need met within 6 months" in html
    assert "had their accommodation need met within 6 months" in html
    assert (
        "From the case records: yes when a referral for that need closed with the need recorded as met"
        in html
    )
    assert "only people whose case records a need for accommodation have a value" in html


def test_case_outcomes_need_a_named_user(tmp_path: Path) -> None:
    config = write_folder(tmp_path / "data")
    result: Any = iom(["evaluate", str(config), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code != 0
    assert "runs as a named user" in result.output
    assert not (tmp_path / "out").exists()


def test_case_outcomes_on_the_web_page(records: Any, tmp_path: Path, settings: Any) -> None:
    write_folder(tmp_path / "data")
    settings.EVALUATION_DATA_DIR = str(tmp_path / "data")
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path / "runs")
    settings.EVALUATION_RUNNER = "inline"
    text = (tmp_path / "data" / "evaluation.yaml").read_text()
    run = services.evaluation_run_create(user=records, config_text=text, scheme=Scheme.objects.get(code="S1"))
    run = services.evaluation_run_execute(run.pk)
    assert run.status == RunStatus.SUCCEEDED, run.message
    _check_results(json.loads((Path(run.output_dir) / "results.json").read_text()))
    client = Client()
    client.force_login(records)
    page = client.get(f"/evaluation/{run.pk}/").content.decode()
    assert "Accommodation need met within 6 months" in page
    assert "had their accommodation need met within 6 months" in page
    assert "60.0" in page and "38.9" in page  # 3 of 5 treated, 7/18 of the comparison group, per 100
    # Beside each matched difference, the adjusted one: 0.2 and -1/30 per person, per 100 people.
    housed = next(r for r in run.summary["outcomes"] if r["key"] == "housed_6m")
    assert housed["adjusted_difference"] == pytest.approx(20.0)
    assert ">20.0</td>" in page and ">-3.3</td>" in page
    assert "Adjusted difference (doubly robust)" in page
    assert "Also adjusts for every covariate by regression within the matched sample" in page
    # The distance's variance ratio after matching, by hand: treated 3 + 3 at two values (variance
    # 1.5 d^2 / 5); comparison weights 3 x 7/6 and 4 x 7/8 (sum 7, squares 343/48), variance
    # 1.75 d^2 / (7 - 49/48) = 12/41 d^2: ratio 0.3 x 41/12 = 1.025. Sex is yes/no: no ratio.
    rows = {r["variable"]: r for r in run.summary["balance"]["rows"]}
    assert rows["distance (logit PS)"]["variance_ratio_after"] == pytest.approx(1.025)
    assert rows["sex=M"]["variance_ratio_after"] is None
    assert f">{floatformat(rows['distance (logit PS)']['variance_ratio_after'], 2)}</td>" in page
    assert "Variance ratio after matching" in page
    # Effective sizes: 6 treated (weight 1 each); comparison 7^2 / (343/48) = 48/7 = 6.9.
    assert (
        "Effective sample size after matching: 6.0 in the treatment group and 6.9 in the comparison" in page
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"kind": "housing"}, "case_outcomes.0: housed_6m: unknown kind 'housing'; choose from need_met, "),
        ({"pathway": "housing"}, "case_outcomes.0: housed_6m: unknown pathway 'housing'; choose from "),
        ({"within_months": 24}, "case_outcomes.0.within_months: Input should be less than or equal to 18"),
        ({"name": "proven_reoffending"}, "case_outcomes: proven_reoffending is a built-in, supplied or"),
    ],
)
def test_a_bad_case_outcome_is_named(change: dict[str, Any], expected: str, tmp_path: Path) -> None:
    raw = yaml.safe_load(write_folder(tmp_path).read_text())
    raw["case_outcomes"][0] = {**raw["case_outcomes"][0], **change}
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, tmp_path)
    assert expected in str(caught.value)


def test_an_unknown_outcome_name_is_named(tmp_path: Path) -> None:
    raw = yaml.safe_load(write_folder(tmp_path).read_text())
    raw["outcomes"] = ["proven_reoffending", "housed_12m"]
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, tmp_path)
    assert "outcomes: unknown outcome(s) housed_12m; choose from" in str(caught.value)
    assert "housed_6m" in str(caught.value)


def test_substance_misuse_records_need_a_role_entitled_to_them(
    records: Any, tmp_path: Path, settings: Any
) -> None:
    settings.EVALUATION_DATA_DIR = str(tmp_path / "data")
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path / "runs")
    drugs = [
        {"name": "treatment_3m", "kind": "treatment_started", "pathway": "drugs_alcohol", "within_months": 3}
    ]
    config = write_folder(tmp_path / "data", case_outcomes=drugs)
    result: Any = iom(["evaluate", str(config), "--out", str(tmp_path / "out"), "--quiet"], user=records)
    assert result.exit_code != 0
    assert "case_outcomes: treatment_3m would read health or substance-misuse records" in result.output
    with pytest.raises(ConfigError, match="treatment_3m would read health or substance-misuse"):
        services.evaluation_run_create(user=records, config_text=config.read_text())


@pytest.mark.parametrize("on_failure", ["warn", "refuse"])
def test_the_web_page_leads_with_the_balance_verdict(
    records: Any, tmp_path: Path, settings: Any, on_failure: str
) -> None:
    # The comparison group's effective size is 48/7 (6.9): below a minimum of 10 the groups are not comparable.
    write_folder(tmp_path / "data", balance={"min_ess": 10, "on_failure": on_failure})
    settings.EVALUATION_DATA_DIR = str(tmp_path / "data")
    settings.EVALUATION_OUTPUT_DIR = str(tmp_path / "runs")
    text = (tmp_path / "data" / "evaluation.yaml").read_text()
    run = services.evaluation_run_create(user=records, config_text=text, scheme=Scheme.objects.get(code="S1"))
    run = services.evaluation_run_execute(run.pk)
    client = Client()
    client.force_login(records)
    page = client.get(f"/evaluation/{run.pk}/").content.decode().replace("&#x27;", "'")
    verdict = "The groups are not comparable on the comparison group's effective size (7, below 10"
    if on_failure == "warn":
        assert run.status == RunStatus.SUCCEEDED, run.message
        assert run.summary["headline"].startswith(verdict)
        assert "Taken at face value: " in run.summary["headline"]
        assert page.index(verdict) < page.index("Taken at face value") < page.index("Effect of the programme")
    else:
        assert run.status == RunStatus.REFUSED
        assert verdict in run.message and "Nothing was estimated" in run.message
        assert verdict in page


def test_the_page_flags_balance_by_the_configured_gate() -> None:
    from openiom.evaluation.summary import summarise

    def row(name: str, smd: float, ratio: float | None) -> dict[str, Any]:
        return {"variable": name, "smd": smd, "variance_ratio": ratio}

    results = {
        "title": "t",
        "headline": "h",
        "outcomes": {},
        "matching": {"sample_sizes": {}},
        "multiple_comparisons_note": "",
        "warnings": [],
        "comparability": {
            "comparable": False,
            "problems": [],
            "max_abs_smd": 0.2,
            "variance_ratio": [0.8, 1.25],
        },
        "balance": {
            "before": [row("age", 0.5, 3.0), row("sex=M", 0.3, None)],
            "after": [row("age", 0.15, 1.3), row("sex=M", 0.25, None)],
        },
    }
    balance = summarise(results)["balance"]
    assert balance["threshold"] == 0.2
    assert balance["above_threshold"] == ["sex=M"]  # 0.15 is within a gate of 0.2
    assert balance["variance_ratio_outside"] == ["age"]  # 1.3 is outside [0.8, 1.25]
    assert [r["variance_ratio_before"] for r in balance["rows"]] == [3.0, None]
