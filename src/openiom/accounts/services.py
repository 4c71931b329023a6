from __future__ import annotations

import base64
from typing import Any

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.audit.actions import AuditAction
from openiom.audit.services import audit_record


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    created_by: Any = None,
) -> User:
    """A new account, audited as made by `created_by` (None: the operator, as in `iom demo`)."""
    user = User(username=username, role=role, first_name=first_name, last_name=last_name, email=email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        user=created_by,
        action=AuditAction.USER_CREATE,
        object_type="user",
        object_id=user.pk,
        detail={"username": user.username, "role": str(Role(role).value)},
    )
    return user


def totp_device_create(*, user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> None:
    """The user proved the authenticator works: it becomes their second factor, audited as them."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        user=device.user, action=AuditAction.OTP_ENROL, object_type="otp_device", object_id=device.pk
    )


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the provisioning URI, so no image is fetched from elsewhere."""
    import segno  # on use: only the authenticator set-up page draws a QR code

    qr = segno.make(device.config_url, error="m")
    svg: str = qr.svg_inline(scale=4, title="QR code for your authenticator app")
    return svg
