"""Reads for signing in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from openiom.accounts.models import User


def totp_device_of(user: User) -> TOTPDevice | None:
    """The user's authenticator, confirmed or still being set up."""
    device: TOTPDevice | None = TOTPDevice.objects.devices_for_user(user, confirmed=None).first()
    return device
