"""The demo area's agencies, scheme, sharing agreement and who works with whom."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Count, Q

from openiom.access.models import (
    Agency,
    AgencyKind,
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
from openiom.people.models import Person
from openiom.vocabulary import PROVEN

SCHEME_PEOPLE = 100
PARTNER_REFERRALS = 12


@transaction.atomic
def demo_access_build(*, source_system: str, as_of: date) -> Scheme:
    police, _ = Agency.objects.get_or_create(
        code="NSP",
        defaults={"name": "Northshire Police", "kind": AgencyKind.POLICE, "source_systems": [source_system]},
    )
    probation, _ = Agency.objects.get_or_create(
        code="NPR", defaults={"name": "Northshire Probation", "kind": AgencyKind.PROBATION}
    )
    partner, _ = Agency.objects.get_or_create(
        code="NRS", defaults={"name": "Northshire Recovery Service", "kind": AgencyKind.PARTNER}
    )
    national, _ = Agency.objects.get_or_create(
        code="NAT", defaults={"name": "National IOM oversight group", "kind": AgencyKind.NATIONAL}
    )
    scheme, created = Scheme.objects.get_or_create(
        code="NSH-IOM", defaults={"name": "Northshire IOM", "region": "North of England"}
    )
    if created:
        scheme.agencies.set([police, probation, partner])
        agreement = SharingAgreement.objects.create(
            scheme=scheme,
            title="Northshire IOM information-sharing agreement",
            legal_basis=LegalBasis.CDA_S115,
            purposes="Identifying, managing and supporting people in the Northshire IOM cohort; evaluation.",
            starts_on=date(as_of.year - 1, 4, 1),
            review_date=date(as_of.year + 1, 3, 31),
        )
        agreement.parties.set([police, probation, partner])
        year_ago = date(as_of.year - 1, as_of.month, min(as_of.day, 28))
        busiest = (
            Person.objects.annotate(
                recent=Count(
                    "events",
                    filter=Q(
                        events__event_type__in=list(PROVEN),
                        events__outcome_date__gt=year_ago,
                    ),
                )
            )
            .filter(recent__gt=0)
            .order_by("-recent", "id")[:SCHEME_PEOPLE]
        )
        SchemePerson.objects.bulk_create(
            SchemePerson(scheme=scheme, person=p, reason="Demo: most proven offences in the last 12 months")
            for p in busiest
        )
        PersonAccessGrant.objects.bulk_create(
            PersonAccessGrant(
                person=p,
                agency=partner,
                field_groups=[IDENTITY],
                purpose="Demo referral for drug and alcohol treatment",
            )
            for p in list(busiest)[:PARTNER_REFERRALS]
        )
    agencies = {
        Role.POLICE_OFFICER: police,
        Role.PROBATION_PRACTITIONER: probation,
        Role.PARTNER_WORKER: partner,
        Role.COORDINATOR: probation,
        Role.ANALYST: police,
        Role.NATIONAL_VIEWER: national,
    }
    for user in User.objects.filter(username__startswith="demo."):
        user.agency = agencies.get(Role(user.role))
        user.save(update_fields=["agency"])
        if user.role not in (Role.NATIONAL_VIEWER, Role.ADMINISTRATOR):
            SchemeMembership.objects.get_or_create(user=user, scheme=scheme)
    return scheme
