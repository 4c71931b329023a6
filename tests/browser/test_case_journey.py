"""Referral → panel adopts with rationale → needs → plan → service referral → partner completes →
review → exit, by the roles that do each step, with an axe-core check on every page."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from openiom.accounts.roles import Role
from openiom.cases.models import Case, CaseStatus, PlanStatus, ReferralStatus
from openiom.people.models import Person
from tests.access.world import World, build_world
from tests.browser.conftest import assert_accessible, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world() -> World:
    return build_world()


def _as(page: Any, world: World, role: Role) -> None:
    page.context.clear_cookies()
    sign_in_as(page, world.users[role].username)


def _submit(page: Any, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_a_case_from_referral_to_exit(page: Any, world: World) -> None:
    person = Person.objects.get(source_id="P0001")
    today = timezone.localdate().isoformat()

    # A police officer refers the person to the panel from their record.
    _as(page, world, Role.POLICE_OFFICER)
    page.goto(f"/people/{person.pk}/")
    page.get_by_role("link", name="Refer to the selection panel").click()
    assert_accessible(page)
    page.get_by_label("Why should the panel consider this person?").fill(
        "Six shop thefts and a burglary since May"
    )
    _submit(page, "Refer")
    assert page.get_by_text("has been referred to the selection panel").is_visible()
    assert_accessible(page)

    # The coordinator cannot adopt without a rationale, then adopts with one.
    _as(page, world, Role.COORDINATOR)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Selection panel").click()
    assert_accessible(page)
    page.get_by_role("link", name="EXAMPLEPERSON, Alex", exact=True).click()
    page.get_by_role("link", name="Record a decision").click()
    page.get_by_label("Adopt", exact=True).check()
    _submit(page, "Save decision")
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("Rationale").fill(
        "Persistent acquisitive offending; all agencies agree to manage jointly"
    )
    page.get_by_label("Cohort stream (if adopting)").select_option("fixed")
    page.get_by_label("Lead agency (if adopting)").select_option(label="Example Police")
    page.get_by_label("Probation key worker").select_option(index=1)
    page.get_by_label("Start date (if adopting)").fill(today)
    _submit(page, "Save decision")
    case = Case.objects.get(person=person)
    assert case.status == CaseStatus.ACTIVE
    assert page.get_by_role("heading", name="EXAMPLEPERSON, Alex").is_visible()
    assert_accessible(page)

    # The probation practitioner records needs (health only after stating why), then the plan.
    _as(page, world, Role.PROBATION_PRACTITIONER)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Caseload").click()
    assert_accessible(page)
    page.get_by_role("link", name="EXAMPLEPERSON, Alex").click()
    page.get_by_label("Why do you need to see this?").fill("Assessing treatment needs for the plan")
    _submit(page, "Show health information")
    page.get_by_role("link", name="Change Drugs and alcohol").click()
    assert_accessible(page)
    page.get_by_label("High", exact=True).check()
    page.get_by_label("Notes").fill("Daily crack cocaine use")
    _submit(page, "Save need")
    assert page.get_by_text("Daily crack cocaine use").is_visible()
    page.get_by_role("link", name="Plan", exact=True).click()
    # The plan gate: a one-word requirement is refused, naming the field in the error summary.
    page.get_by_label("What the person must do").fill("Attend")
    page.get_by_label("By when").fill(today)
    _submit(page, "Add requirement")
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert page.get_by_role("link", name="How it will be checked: Say how it will be checked").is_visible()
    assert_accessible(page)
    page.get_by_label("What the person must do").fill("Attend the drug service assessment")
    page.get_by_label("How it will be checked").fill("The drug service confirms attendance")
    page.get_by_label("By when").fill(today)
    _submit(page, "Add requirement")
    _submit(page, "Make the plan active")
    assert page.get_by_text("The drugs and alcohol need has no action").is_visible()
    assert page.get_by_text("Example Probation is involved in the case but owns no action").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Action", exact=True).fill("Weekly supervision appointments")
    page.get_by_label("Owner agency").select_option(label="Example Probation")
    page.get_by_label("Due date").fill(today)
    _submit(page, "Add action")
    assert page.get_by_text("Plan saved as a new version.").is_visible(), page.locator(
        ".govuk-error-summary"
    ).all_inner_texts()
    page.get_by_role("link", name="Case", exact=True).click()
    page.get_by_role("link", name="Refer to a service").click()
    page.get_by_label("Service", exact=True).select_option("substance_misuse")
    page.get_by_label("Partner agency").select_option(label="Example Recovery")
    page.get_by_label("Reason for referral").fill("Needs structured treatment")
    _submit(page, "Send referral")
    page.get_by_role("link", name="Plan", exact=True).click()
    _submit(page, "Make the plan active")
    assert page.get_by_text("The plan is active.").is_visible()
    assert case.plan.__class__.objects.get(case=case).status == PlanStatus.ACTIVE
    assert_accessible(page)

    # The partner worker accepts, starts and completes the referral from their own view.
    _as(page, world, Role.PARTNER_WORKER)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Referrals").click()
    assert_accessible(page)
    # The substance-misuse referral shares health: until the partner states a purpose even its
    # service is restricted; opened with a purpose, it is shown.
    assert page.get_by_role("row").filter(has_text="Substance-misuse").count() == 0
    page.get_by_role("row").filter(has_text="restricted — state a purpose to see").get_by_role("link").click()
    assert page.get_by_label("Started", exact=True).count() == 0  # only the statuses allowed next
    page.get_by_label("Why do you need to see this?").fill("Assessing for the treatment programme")
    _submit(page, "Show health information")
    assert page.get_by_text("Daily crack cocaine use").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Referrals to your service").click()
    for status in ("Accepted", "Started", "Completed"):
        page.get_by_role("row").filter(has_text="Substance-misuse").get_by_role("link").click()
        page.get_by_label(status, exact=True).check()
        page.get_by_label("Date").fill(today)
        if status == "Completed":
            page.get_by_label("Outcome").select_option(label="Treatment or support completed: need met")
        _submit(page, "Update referral")
        assert page.get_by_text("Referral updated.").is_visible()
    assert case.service_referrals.get(service="substance_misuse").status == ReferralStatus.COMPLETED
    assert_accessible(page)

    # Probation sees the need met and records a review.
    _as(page, world, Role.PROBATION_PRACTITIONER)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_label("Why do you need to see this?").fill("Checking the treatment outcome")
    _submit(page, "Show health information")
    assert page.get_by_text("A referral for this need recorded the need as met").is_visible()
    page.get_by_role("link", name="Record a review").click()
    page.get_by_label("What did the review find?").fill("Completed treatment; engaging with housing")
    page.get_by_label("Next review due").fill(
        (timezone.localdate() + timezone.timedelta(days=28)).isoformat()
    )
    _submit(page, "Save review")
    assert page.get_by_text("Review recorded.").is_visible()
    assert_accessible(page)

    # The coordinator de-selects the person with a reason.
    _as(page, world, Role.COORDINATOR)
    page.goto(f"/cases/{case.pk}/exit")
    assert_accessible(page)
    page.get_by_label("Reason for de-selection").fill("Treatment completed and no offending for six months")
    _submit(page, "De-select")
    assert page.get_by_text("Exited").first.is_visible()
    assert_accessible(page)
    case.refresh_from_db()
    assert case.status == CaseStatus.EXITED
    assert page.get_by_role("heading", name="Closed case").is_visible()


def test_the_caseload_fits_a_phone(page: Any, world: World) -> None:
    """At 390 px the caseload table stacks, so the page body does not scroll sideways."""
    page.set_viewport_size({"width": 390, "height": 844})
    _as(page, world, Role.PROBATION_PRACTITIONER)
    page.goto("/cases/")
    assert page.get_by_role("link", name="TESTWORTH, Casey").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("document.body.scrollWidth <= window.innerWidth")
    assert_accessible(page)
