"""Record-level scope: which people a user may see for an action, and which of their fields.

Every person-reading view and command asks here; nothing else filters people by permission.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from openiom.access.models import (
    Agency,
    CoordinatorAlert,
    PersonAccessGrant,
    Scheme,
    SchemeMembership,
    SchemePerson,
    SharingAgreement,
)
from openiom.access.policy import Scope, scope_for
from openiom.people.models import Person

if TYPE_CHECKING:
    from openiom.accounts.models import User

# Field groups of a person's record. Restricted groups need their own permission and a purpose.
IDENTITY = "identity"
OFFENDING = "offending_history"
VICTIM = "victim"
HEALTH = "health"
STANDARD_GROUPS = (IDENTITY, OFFENDING)
RESTRICTED_GROUPS = (VICTIM, HEALTH)


def user_schemes(user: User) -> QuerySet[Scheme]:
    return Scheme.objects.filter(memberships__user=user)


def agreements_in_force(on: date) -> QuerySet[SharingAgreement]:
    return SharingAgreement.objects.filter(starts_on__lte=on, review_date__gte=on)


def _own_source_systems(user: User) -> list[str]:
    agency: Agency | None = user.agency
    return list(agency.source_systems) if agency else []


@dataclass(frozen=True)
class SchemeScope:
    """What a scheme-scoped user may see, as plain values, so the ORM and the cohort engine apply
    the same rule and the database plans a simple query.

    A user's own agency's records need no agreement; records crossing agencies do, and only while
    an agreement is in force in one of the user's schemes with the user's agency as a party. Such an
    agreement shares its scheme's people and the records its parties supplied.
    """

    scheme_ids: frozenset[int]
    source_systems: frozenset[str]
    shared_scheme_ids: frozenset[int]

    def people(self) -> Q:
        """A filter on Person."""
        return self._filter("")

    def people_of(self, relation: str) -> Q:
        """The same filter on a model that points at Person through `relation` (e.g. "person")."""
        return self._filter(relation + "__")

    def _filter(self, prefix: str) -> Q:
        condition = Q(**{f"{prefix}source_system__in": sorted(self.source_systems)})
        if self.shared_scheme_ids:
            shared = SchemePerson.objects.filter(scheme_id__in=sorted(self.shared_scheme_ids))
            condition |= Q(**{f"{prefix}pk__in": shared.values("person_id")})
        return condition


def scheme_scope(user: User, today: date | None = None) -> SchemeScope:
    today = today or timezone.localdate()
    # The user's own agency's systems come with the memberships: one query fewer on every page.
    memberships = list(
        SchemeMembership.objects.filter(user=user).values_list("scheme_id", "user__agency__source_systems")
    )
    scheme_ids = frozenset(scheme_id for scheme_id, _ in memberships)
    systems = set(memberships[0][1] or []) if memberships else set(_own_source_systems(user))
    shared: set[int] = set()
    if user.agency_id is not None and scheme_ids:
        agreements = agreements_in_force(today).filter(scheme_id__in=scheme_ids, parties=user.agency_id)
        parties = SharingAgreement.parties.through.objects.filter(sharingagreement__in=agreements)
        for scheme_id, party_systems in parties.values_list(
            "sharingagreement__scheme_id", "agency__source_systems"
        ):
            shared.add(scheme_id)
            systems.update(party_systems or [])
    return SchemeScope(scheme_ids, frozenset(systems), frozenset(shared))


def _grant_filter(user: User, today: date) -> Q:
    if user.agency_id is None:
        return Q(pk__in=[])
    grants = PersonAccessGrant.objects.filter(agency_id=user.agency_id, revoked_at__isnull=True).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )
    return Q(pk__in=grants.values("person_id"))


def people_visible_to(user: User, action: str) -> QuerySet[Person]:
    """Every person the user may see for this action (empty for national and unknown scopes)."""
    scope = scope_for(user, action)
    today = timezone.localdate()
    if scope == Scope.ALL:
        return Person.objects.all()
    if scope in (Scope.SCHEME, Scope.PSEUDONYMISED):
        return Person.objects.filter(scheme_scope(user, today).people())
    if scope == Scope.REFERRAL:
        return Person.objects.filter(_grant_filter(user, today))
    return Person.objects.none()


def can_see_person(user: User, person: Person, action: str = "person.view") -> bool:
    return people_visible_to(user, action).filter(pk=person.pk).exists()


@dataclass(frozen=True)
class PersonAccess:
    """What one user may see of one person, decided once per request."""

    pseudonymised: bool
    field_groups: frozenset[str]
    restricted_allowed: frozenset[str]
    emergency_allowed: bool

    def shows(self, group: str) -> bool:
        return group in self.field_groups


def person_access(user: User, person: Person) -> PersonAccess:
    scope = scope_for(user, "person.view")
    restricted = frozenset(g for g in RESTRICTED_GROUPS if scope_for(user, f"restricted.{g}") is not None)
    emergency = scope_for(user, "restricted.emergency") is not None
    if scope == Scope.REFERRAL:
        # A partner is granted fields through their agency; without one they are granted nothing.
        today = timezone.localdate()
        groups: set[str] = set()
        for grant in (
            PersonAccessGrant.objects.none()
            if user.agency_id is None
            else PersonAccessGrant.objects.filter(
                person=person, agency_id=user.agency_id, revoked_at__isnull=True
            ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        ):
            groups.update(grant.field_groups)
        return PersonAccess(
            False, frozenset(groups & set(STANDARD_GROUPS)), frozenset(groups) & restricted, False
        )
    pseudonymised = scope == Scope.PSEUDONYMISED and not user.sees_identities
    groups_seen = frozenset({OFFENDING} if pseudonymised else STANDARD_GROUPS)
    return PersonAccess(
        pseudonymised,
        groups_seen,
        frozenset() if pseudonymised else restricted,
        emergency and not pseudonymised,
    )


def pseudonym(person_id: int) -> str:
    """A stable pseudonym for analysts: keyed by the secret key so it cannot be reversed by guessing ids."""
    digest = hmac.new(settings.SECRET_KEY.encode(), str(person_id).encode(), hashlib.sha256).hexdigest()
    return f"P-{digest[:10].upper()}"


def expired_agreement_blocking(user: User, person: Person) -> SharingAgreement | None:
    """If an expired agreement is why this person is hidden, that agreement (so the page can say why)."""
    if user.agency_id is None:
        return None
    expired = SharingAgreement.objects.filter(
        scheme__memberships__user=user, parties=user.agency_id, review_date__lt=timezone.localdate()
    ).order_by("-review_date")
    return _first_covering(expired, person)


def _first_covering(agreements: QuerySet[SharingAgreement], person: Person) -> SharingAgreement | None:
    """The first agreement that covers the person: they are in its scheme, or a party supplied their record."""
    person_schemes = set(person.schemes.values_list("scheme_id", flat=True))
    for agreement in agreements.prefetch_related("parties"):
        if agreement.scheme_id in person_schemes or any(
            person.source_system in party.source_systems for party in agreement.parties.all()
        ):
            return agreement
    return None


def sharing_basis(user: User, person: Person) -> SharingAgreement | None:
    """The agreement in force under which this person's record reaches the user, if it crossed agencies."""
    if person.source_system in _own_source_systems(user) or user.agency_id is None:
        return None
    in_force = (
        agreements_in_force(timezone.localdate())
        .filter(scheme__memberships__user=user, parties=user.agency_id)
        .order_by("review_date")
    )
    return _first_covering(in_force, person)


def agreements_visible_to(user: User) -> QuerySet[SharingAgreement]:
    """The sharing agreements of the schemes the user may see them for, with their parties."""
    schemes = Scheme.objects.all() if scope_for(user, "agreements.view") == Scope.ALL else user_schemes(user)
    return (
        SharingAgreement.objects.filter(scheme__in=schemes)
        .select_related("scheme")
        .prefetch_related("parties")
        .order_by("scheme__name", "title")
    )


def alerts_visible_to(user: User) -> QuerySet[CoordinatorAlert]:
    """The coordinator alerts of the user's schemes, unacknowledged first, newest first."""
    return (
        CoordinatorAlert.objects.filter(scheme__in=user_schemes(user))
        .select_related("scheme", "raised_by")
        .order_by("acknowledged_at", "-raised_at")
    )


@dataclass(frozen=True)
class AlertRow:
    alert: CoordinatorAlert
    person: str
    person_id: int | None


def person_label(user: User, person: Person | None) -> tuple[str, int | None]:
    """How this user may see the person: their name, their pseudonym, or neither (with no id)."""
    if person is None:
        return "a person whose record has since been deleted", None
    if not can_see_person(user, person):
        return "a person outside your schemes", None
    if person_access(user, person).pseudonymised:
        return pseudonym(person.pk), person.pk
    return str(person), person.pk


def alert_get(user: User, alert_id: int) -> CoordinatorAlert | None:
    return alerts_visible_to(user).filter(pk=alert_id).first()


def alert_rows(user: User) -> list[AlertRow]:
    """The user's alerts, each naming its person as this user may see them."""
    rows = []
    for alert in alerts_visible_to(user).select_related("person", "reviewed_by"):
        name, person_id = person_label(user, alert.person)
        rows.append(AlertRow(alert, name, person_id))
    return rows


@dataclass(frozen=True)
class SchemeCount:
    scheme: str
    region: str
    people: int
    scheme_id: int = 0


def people_per_scheme() -> list[SchemeCount]:
    """How many people each scheme holds, by region then name: counts only, never a person."""
    schemes = Scheme.objects.annotate(people_count=Count("people", distinct=True)).order_by("region", "name")
    return [SchemeCount(s.name, s.region, s.people_count, s.pk) for s in schemes]


# Administration -----------------------------------------------------------------------------------


def admin_users() -> QuerySet[User]:
    from openiom.accounts.models import User

    return (
        User.objects.select_related("agency")
        .prefetch_related("scheme_memberships__scheme")
        .order_by("last_name", "first_name", "username")
    )


def admin_user(*, user_id: int) -> User | None:
    return admin_users().filter(pk=user_id).first()


def admin_user_schemes(*, user: User) -> list[Scheme]:
    return [m.scheme for m in user.scheme_memberships.all()]


def admin_agencies() -> QuerySet[Agency]:
    return Agency.objects.order_by("name")


def admin_schemes() -> QuerySet[Scheme]:
    return Scheme.objects.prefetch_related("agencies").order_by("name")


def admin_agreements() -> QuerySet[SharingAgreement]:
    return (
        SharingAgreement.objects.select_related("scheme")
        .prefetch_related("parties")
        .order_by("scheme__name", "title")
    )


def admin_agreement(*, agreement_id: int) -> SharingAgreement | None:
    return admin_agreements().filter(pk=agreement_id).first()
