"""Writes for setting the service up in the web: accounts, agencies, schemes and sharing agreements.
Each is one transaction that writes its own audit row; bad input raises AdminError naming the field,
with nothing written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiom.access.models import Agency, Scheme, SchemeMembership, SharingAgreement
from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record


class AdminError(ValueError):
    """Input the administrator must correct: field name -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _memberships(user: User, schemes: Iterable[Scheme]) -> list[str]:
    wanted = {s.pk: s for s in schemes}
    SchemeMembership.objects.filter(user=user).exclude(scheme_id__in=wanted).delete()
    for scheme in wanted.values():
        SchemeMembership.objects.get_or_create(user=user, scheme=scheme)
    return sorted(s.code for s in wanted.values())


@transaction.atomic
def admin_user_create(
    *,
    by: User,
    username: str,
    password: str,
    role: str,
    first_name: str,
    last_name: str,
    email: str,
    agency: Agency | None,
    schemes: Iterable[Scheme],
) -> User:
    if User.objects.filter(username__iexact=username.strip()).exists():
        raise AdminError({"username": _("An account with this username already exists")})
    user = user_create(
        username=username.strip(),
        password=password,
        role=Role(role),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        created_by=by,
    )
    user.agency = agency
    user.save(update_fields=["agency"])
    codes = _memberships(user, schemes)
    audit_record(
        user=by,
        action=AuditAction.USER_UPDATE,
        object_type="user",
        object_id=user.pk,
        detail={"agency": agency.code if agency else None, "schemes": codes},
    )
    return user


@transaction.atomic
def admin_user_update(
    *, by: User, user: User, role: str, agency: Agency | None, schemes: Iterable[Scheme], is_active: bool
) -> User:
    if user.pk == getattr(by, "pk", None) and (not is_active or role != user.role):
        raise AdminError({"role": _("You cannot change your own role or deactivate yourself")})
    was_active = user.is_active
    user.role, user.agency, user.is_active = role, agency, is_active
    user.save(update_fields=["role", "agency", "is_active"])
    codes = _memberships(user, schemes)
    detail = {"role": role, "agency": agency.code if agency else None, "schemes": codes, "active": is_active}
    audit_record(
        user=by, action=AuditAction.USER_UPDATE, object_type="user", object_id=user.pk, detail=detail
    )
    if was_active and not is_active:
        audit_record(user=by, action=AuditAction.USER_DEACTIVATE, object_type="user", object_id=user.pk)
    return user


@transaction.atomic
def admin_two_factor_reset(*, by: User, user: User) -> int:
    """Remove the user's authenticators: they enrol a new one at their next sign-in."""
    removed: int
    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    audit_record(
        user=by,
        action=AuditAction.OTP_RESET,
        object_type="user",
        object_id=user.pk,
        detail={"devices": removed},
    )
    return removed


@transaction.atomic
def admin_agency_create(*, by: User, code: str, name: str, kind: str, source_systems: list[str]) -> Agency:
    if Agency.objects.filter(code__iexact=code.strip()).exists():
        raise AdminError({"code": _("An agency with this code already exists")})
    agency = Agency.objects.create(
        code=code.strip(), name=name.strip(), kind=kind, source_systems=source_systems
    )
    audit_record(
        user=by,
        action=AuditAction.AGENCY_CREATE,
        object_type="agency",
        object_id=agency.pk,
        detail={"code": agency.code, "kind": kind, "source_systems": source_systems},
    )
    return agency


@transaction.atomic
def admin_scheme_create(*, by: User, code: str, name: str, region: str, agencies: Iterable[Agency]) -> Scheme:
    if Scheme.objects.filter(code__iexact=code.strip()).exists():
        raise AdminError({"code": _("A scheme with this code already exists")})
    scheme = Scheme.objects.create(code=code.strip(), name=name.strip(), region=region.strip())
    chosen = list(agencies)
    scheme.agencies.set(chosen)
    audit_record(
        user=by,
        action=AuditAction.SCHEME_CREATE,
        object_type="scheme",
        object_id=scheme.pk,
        detail={"code": scheme.code, "agencies": sorted(a.code for a in chosen)},
    )
    return scheme


def _dates(starts_on: date, review_date: date) -> None:
    if review_date <= starts_on:
        raise AdminError({"review_date": _("The review date must be after the start date")})


@transaction.atomic
def admin_agreement_create(
    *,
    by: User,
    scheme: Scheme,
    title: str,
    legal_basis: str,
    purposes: str,
    starts_on: date,
    review_date: date,
    parties: Iterable[Agency],
) -> SharingAgreement:
    chosen = list(parties)
    outside = [a.name for a in chosen if not scheme.agencies.filter(pk=a.pk).exists()]
    if outside:
        raise AdminError(
            {
                "parties": _("Not agencies of %(scheme)s: %(names)s")
                % {"scheme": scheme, "names": ", ".join(outside)}
            }
        )
    _dates(starts_on, review_date)
    agreement = SharingAgreement.objects.create(
        scheme=scheme,
        title=title.strip(),
        legal_basis=legal_basis,
        purposes=purposes.strip(),
        starts_on=starts_on,
        review_date=review_date,
    )
    agreement.parties.set(chosen)
    audit_record(
        user=by,
        action=AuditAction.AGREEMENT_CREATE,
        object_type="sharing_agreement",
        object_id=agreement.pk,
        detail={
            "scheme": scheme.code,
            "parties": sorted(a.code for a in chosen),
            "review_date": str(review_date),
        },
    )
    return agreement


@transaction.atomic
def admin_agreement_renew(*, by: User, agreement: SharingAgreement, review_date: date) -> SharingAgreement:
    """Reviewed and renewed to a new review date; sharing resumes if it had lapsed."""
    _dates(agreement.starts_on, review_date)
    if review_date < timezone.localdate():
        raise AdminError({"review_date": _("A renewed agreement's review date cannot be in the past")})
    old = agreement.review_date
    agreement.review_date = review_date
    agreement.save(update_fields=["review_date"])
    audit_record(
        user=by,
        action=AuditAction.AGREEMENT_RENEW,
        object_type="sharing_agreement",
        object_id=agreement.pk,
        detail={"from": str(old), "to": str(review_date)},
    )
    return agreement


@transaction.atomic
def admin_agreement_end(*, by: User, agreement: SharingAgreement, reason: str) -> SharingAgreement:
    """End the agreement now: its review date becomes yesterday, so nothing more is shared under it."""
    if not reason.strip():
        raise AdminError({"reason": _("Give the reason the agreement ends")})
    agreement.review_date = min(agreement.review_date, timezone.localdate() - timedelta(days=1))
    agreement.save(update_fields=["review_date"])
    audit_record(
        user=by,
        action=AuditAction.AGREEMENT_END,
        object_type="sharing_agreement",
        object_id=agreement.pk,
        detail={"ended_on": str(agreement.review_date), "reason": reason.strip()},
    )
    return agreement
