"""A small two-scheme world for access tests: who should see whom is known by construction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from openiom.access.models import (
    Agency,
    AgencyKind,
    CoordinatorAlert,
    LegalBasis,
    PersonAccessGrant,
    Scheme,
    SchemeMembership,
    SchemePerson,
    SharingAgreement,
)
from openiom.access.selectors import IDENTITY
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.cases.models import Case, CaseStatus, Plan, ServiceReferral
from openiom.evaluation.models import EvaluationRun, RunStatus
from openiom.imports.services import events_import, people_import
from openiom.people.models import Person
from openiom.reference.datafiles import builtin_directory
from openiom.reference.services import reference_dataset_load

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
PASSWORD = "correct horse battery staple"


@dataclass
class World:
    in_scope: Person  # in scheme S1, referred to the partner with identity shared
    out_of_scope: Person  # another area's record, in scheme S2 only
    scheme: Scheme
    other_scheme: Scheme
    police: Agency
    probation: Agency
    partner: Agency
    agreement: SharingAgreement
    alert: CoordinatorAlert
    users: dict[Role, User]
    # IOM cases: the in-scope person's managed case (with a housing referral to the partner), and
    # the out-of-scope person's case in the other scheme (with a referral the partner has no grant for).
    case: Case | None = None
    other_case: Case | None = None
    referral: ServiceReferral | None = None
    other_referral: ServiceReferral | None = None
    # Evaluations: the world analyst's run in S1 (still running), and an analyst's run in S2.
    evaluation_run: EvaluationRun | None = None
    other_evaluation_run: EvaluationRun | None = None
    cohort_job: EvaluationRun | None = None
    other_cohort_job: EvaluationRun | None = None


def build_world() -> World:
    reference_dataset_load(directory=builtin_directory())
    people_import(path=EXAMPLES / "people.csv")
    events_import(path=EXAMPLES / "events.csv")
    # The other area: a person whose records only that area's police hold.
    other = Person.objects.create(
        source_system="OTHERAREA",
        source_id="Z1",
        family_name="ELSEWHERE",
        given_names="Outof Scope",
        date_of_birth=date(1991, 1, 1),
        sex="M",
    )
    police = Agency.objects.create(
        code="POL", name="Example Police", kind=AgencyKind.POLICE, source_systems=["EXAMPLE"]
    )
    probation = Agency.objects.create(code="PRB", name="Example Probation", kind=AgencyKind.PROBATION)
    partner = Agency.objects.create(code="PTR", name="Example Recovery", kind=AgencyKind.PARTNER)
    other_police = Agency.objects.create(
        code="OTH", name="Other Police", kind=AgencyKind.POLICE, source_systems=["OTHERAREA"]
    )
    national = Agency.objects.create(code="NAT", name="National group", kind=AgencyKind.NATIONAL)
    scheme = Scheme.objects.create(code="S1", name="Example IOM", region="North")
    scheme.agencies.set([police, probation, partner])
    other_scheme = Scheme.objects.create(code="S2", name="Other IOM", region="South")
    other_scheme.agencies.set([other_police])
    today = timezone.localdate()
    agreement = SharingAgreement.objects.create(
        scheme=scheme,
        title="Example ISA",
        legal_basis=LegalBasis.CDA_S115,
        purposes="IOM",
        starts_on=today - timedelta(days=100),
        review_date=today + timedelta(days=100),
    )
    agreement.parties.set([police, probation, partner])
    in_scope = Person.objects.get(source_id="P0003")  # has a domestic-abuse offence with a victim
    SchemePerson.objects.create(scheme=scheme, person=in_scope, reason="test")
    SchemePerson.objects.create(scheme=other_scheme, person=other, reason="test")
    grant = PersonAccessGrant.objects.create(
        person=in_scope, agency=partner, field_groups=[IDENTITY], purpose="referral"
    )
    agencies = {
        Role.POLICE_OFFICER: police,
        Role.PROBATION_PRACTITIONER: probation,
        Role.PARTNER_WORKER: partner,
        Role.COORDINATOR: probation,
        Role.ANALYST: police,
        Role.NATIONAL_VIEWER: national,
        Role.ADMINISTRATOR: None,
    }
    users = {}
    for role, agency in agencies.items():
        user = user_create(
            username=f"w.{role.value}",
            password=PASSWORD,
            role=role,
            first_name="World",
            last_name=str(role.label),
        )
        user.agency = agency
        user.save(update_fields=["agency"])
        if role not in (Role.NATIONAL_VIEWER, Role.ADMINISTRATOR):
            SchemeMembership.objects.create(user=user, scheme=scheme)
        users[role] = user
    alert = CoordinatorAlert.objects.create(scheme=scheme, person=in_scope, message="test alert")
    world = World(in_scope, other, scheme, other_scheme, police, probation, partner, agreement, alert, users)
    world.case = Case.objects.create(
        scheme=scheme,
        person=in_scope,
        status=CaseStatus.ACTIVE,
        stream="fixed",
        lead_agency=police,
        police_worker=users[Role.POLICE_OFFICER],
        probation_worker=users[Role.PROBATION_PRACTITIONER],
        start_date=today,
    )
    Plan.objects.create(case=world.case)
    world.other_case = Case.objects.create(
        scheme=other_scheme, person=other, status=CaseStatus.ACTIVE, stream="flex", start_date=today
    )
    Plan.objects.create(case=world.other_case)
    world.referral = ServiceReferral.objects.create(
        case=world.case,
        service="housing",
        pathway="accommodation",
        agency=partner,
        reason="test",
        sent_on=today,
        grant=grant,
    )
    world.other_referral = ServiceReferral.objects.create(
        case=world.other_case,
        service="housing",
        pathway="accommodation",
        agency=partner,
        reason="test",
        sent_on=today,
    )
    world.evaluation_run = _evaluation_run(users[Role.ANALYST], scheme)
    elsewhere = user_create(
        username="w.analyst.elsewhere",
        password=PASSWORD,
        role=Role.ANALYST,
        first_name="World",
        last_name="Other",
    )
    SchemeMembership.objects.create(user=elsewhere, scheme=other_scheme)
    world.other_evaluation_run = _evaluation_run(elsewhere, other_scheme)
    world.cohort_job = _cohort_job(users[Role.ANALYST])
    world.other_cohort_job = _cohort_job(elsewhere)
    return world


def _cohort_job(user: User) -> EvaluationRun:
    return EvaluationRun.objects.create(
        created_by=user,
        title="Cohort analysis on 2026-06-30",
        config={"job": "cohort_analysis", "as_of": "2026-06-30", "definitions": []},
        status=RunStatus.RUNNING,
        step=2,
        step_count=6,
        step_text="identifying",
        progress=17,
    )


def _evaluation_run(user: User, scheme: Scheme) -> EvaluationRun:
    return EvaluationRun.objects.create(
        created_by=user,
        scheme=scheme,
        title=f"Evaluation in {scheme.name}",
        config_text="title: Example\n",
        status=RunStatus.RUNNING,
        step=3,
        step_count=11,
        step_text="computing covariates",
        progress=18,
    )
