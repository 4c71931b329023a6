from __future__ import annotations

import base64

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiom.accounts.models import User
from openiom.accounts.roles import Role


@transaction.atomic
def user_create(
    *, username: str, password: str, role: Role, first_name: str = "", last_name: str = "", email: str = ""
) -> User:
    user = User(username=username, role=role, first_name=first_name, last_name=last_name, email=email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def totp_device_create(*, user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_confirm(*, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the provisioning URI, so no image is fetched from elsewhere."""
    qr = segno.make(device.config_url, error="m")
    svg: str = qr.svg_inline(scale=4, title="QR code for your authenticator app")
    return svg
