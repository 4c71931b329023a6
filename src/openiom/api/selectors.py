"""What the API reads, through the same scope selectors as the pages."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from openiom.access import selectors as access
from openiom.api.models import IdempotentRequest
from openiom.cases import selectors as cases
from openiom.cases.models import ServiceReferral
from openiom.offending.selectors import offending_summary
from openiom.people import selectors as people
from openiom.people.models import Person
from openiom.reference import selectors as reference
from openiom.reference.models import ReferenceDataSet
from openiom.vocabulary import RESTRICTED_PATHWAYS

if TYPE_CHECKING:
    from openiom.accounts.models import User


def people_found(*, user: User, query: str) -> QuerySet[Person]:
    return people.person_matches(query=query, within=access.people_visible_to(user, "person.search"))


def _identity(person: Person) -> dict[str, Any]:
    return {
        "family_name": person.family_name,
        "given_names": person.given_names,
        "date_of_birth": person.date_of_birth,
        "pnc_id": person.pnc_id,
        "probation_crn": person.probation_crn,
        "local_police_id": person.local_police_id,
    }


def person_item(*, user: User, person: Person) -> dict[str, Any]:
    """One search result, shown as the caller may see the person."""
    grants = access.person_access(user, person)
    shows_identity = grants.shows(access.IDENTITY) and not grants.pseudonymised
    return {
        "id": person.pk,
        "display_name": str(person) if shows_identity else access.pseudonym(person.pk),
        "identity": _identity(person) if shows_identity else None,
    }


def visible_person(*, user: User, person_id: int) -> Person | None:
    """The person if the caller may see them; None if not, exactly as if they did not exist."""
    return access.people_visible_to(user, "person.view").filter(pk=person_id).first()


def person_summary(*, user: User, person: Person) -> tuple[dict[str, Any], list[str]]:
    """The person's summary as the caller may see it, and the field groups it shows (for the audit)."""
    grants = access.person_access(user, person)
    shows_identity = grants.shows(access.IDENTITY) and not grants.pseudonymised
    today = timezone.localdate()
    offending = (
        asdict(offending_summary(person=person, as_of=today)) if grants.shows(access.OFFENDING) else None
    )
    groups = sorted(grants.field_groups)
    return {
        "id": person.pk,
        "display_name": str(person) if shows_identity else access.pseudonym(person.pk),
        "pseudonymised": grants.pseudonymised,
        "field_groups": groups,
        "identity": _identity(person) if shows_identity else None,
        "age": people.age_on(person.date_of_birth, today) if shows_identity else None,
        "offending": offending,
    }, groups


def datasets() -> QuerySet[ReferenceDataSet]:
    return reference.dataset_list()


def referrals(*, user: User) -> QuerySet[ServiceReferral]:
    """Referrals made to the client's agency whose person a live grant lets it see (as the pages)."""
    return cases.referrals_visible_to(user)


def referral_get(*, user: User, referral_id: int) -> ServiceReferral | None:
    return cases.referrals_visible_to(user).filter(pk=referral_id).first()


def referral_body(*, user: User, referral: ServiceReferral) -> dict[str, Any]:
    # Health and substance-misuse needs stay behind the pages' purpose-recorded reveal: never here.
    restricted = referral.pathway in RESTRICTED_PATHWAYS
    return {
        "id": referral.pk,
        "person": person_item(user=user, person=referral.case.person),
        "service": referral.service,
        "pathway": None if restricted else referral.pathway,
        "status": referral.status,
        "outcome": referral.outcome,
        "sent_on": referral.sent_on,
        "accepted_on": referral.accepted_on,
        "started_on": referral.started_on,
        "closed_on": referral.closed_on,
        "version": referral.version,
    }


def idempotent_answer(*, user: User, key: str) -> IdempotentRequest | None:
    return IdempotentRequest.objects.filter(user=user, key=key).first()
