"""Who is signing in from where, and how fast an account may be guessed at.

Two limits work together (docs/security.md, "Sign-in limits"):

- django-axes locks a username *at one client address* after AXES_FAILURE_LIMIT failures. Behind
  the TLS proxy every request comes from the proxy, so the client address is taken from
  X-Forwarded-For, but only when the connection comes from a proxy listed in
  OPENIOM_TRUSTED_PROXIES, and only the right-most address the trusted proxies did not add (what
  a client writes further left is not believed).
- An account-level throttle slows guessing spread over many addresses: after
  OPENIOM_ACCOUNT_SLOW_AFTER failures on one account within the cool-off period, each further
  attempt must wait an increasing delay (doubling, at most OPENIOM_ACCOUNT_MAX_WAIT_SECONDS) after
  the account's last failure. It never locks: a refused attempt checks no password and counts for
  nothing, and an address the user has signed in from recently is not slowed at all, so an
  attacker with many addresses cannot keep the real user out.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone

# Signing in from the same address within this period shows the address is the user's own.
KNOWN_ADDRESS_DAYS = 30
# The command line has no client address; its failures are kept under this one.
COMMAND_LINE_ADDRESS = "127.0.0.1"
COMMAND_LINE_AGENT = "iom command line"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _trusted_proxies() -> list[Network]:
    return [ipaddress.ip_network(p, strict=False) for p in settings.OPENIOM_TRUSTED_PROXIES]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for sign-in limits (AXES_CLIENT_IP_CALLABLE)."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    proxies = _trusted_proxies()

    def trusted(address: Any) -> bool:
        return any(address in network for network in proxies)

    if remote is None or not trusted(remote):
        return str(remote) if remote is not None else None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            # A malformed entry: nothing to its left can be believed either.
            break
        if not trusted(address):
            return str(address)
    return str(remote)


def _known_address(username: str, address: str | None) -> bool:
    from axes.models import AccessLog

    if address is None:
        return False
    since = timezone.now() - timedelta(days=KNOWN_ADDRESS_DAYS)
    known: bool = AccessLog.objects.filter(
        username=username, ip_address=address, attempt_time__gte=since
    ).exists()
    return known


def account_wait_seconds(username: str, address: str | None, *, now: datetime | None = None) -> int:
    """0 if a sign-in attempt for `username` from `address` may go ahead; otherwise how many seconds
    to wait. Counts the account's failures from every address within the cool-off period."""
    from axes.models import AccessAttempt

    if not username:
        return 0
    now = now or timezone.now()
    cooloff = timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    failures = AccessAttempt.objects.filter(username=username, attempt_time__gte=now - cooloff).aggregate(
        count=Sum("failures_since_start"), last=Max("attempt_time")
    )
    count = failures["count"] or 0
    over = count - settings.OPENIOM_ACCOUNT_SLOW_AFTER
    if not count or over < 0 or _known_address(username, address):
        return 0
    delay = min(2**over, settings.OPENIOM_ACCOUNT_MAX_WAIT_SECONDS)
    waited = (now - failures["last"]).total_seconds()
    return max(0, int(delay - waited + 0.999))


def wait_message(seconds: int) -> str:
    return (
        f"There have been too many failed sign-ins to this account. Wait {seconds} second"
        f"{'s' if seconds != 1 else ''} and try again."
    )


def command_line_request() -> HttpRequest:
    """A request standing for the command line, so its password checks go through the same limits."""
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": COMMAND_LINE_ADDRESS, "HTTP_USER_AGENT": COMMAND_LINE_AGENT}
    request.path = request.path_info = "/command-line"
    request.method = "POST"
    return request


class SignInRefused(Exception):
    """The command line's password check failed or must wait; the message says which."""


def command_line_sign_in(username: str, password: str) -> Any:
    """The active user with this password, checked under the web's limits: the account-level
    throttle and axes' lockout of the username at the command line's address. Failures count."""
    from axes.exceptions import AxesBackendPermissionDenied
    from django.contrib.auth import authenticate

    request = command_line_request()
    wait = account_wait_seconds(username, COMMAND_LINE_ADDRESS)
    if wait:
        raise SignInRefused(f"{username}: {wait_message(wait)}")
    try:
        user = authenticate(request, username=username, password=password)
    except AxesBackendPermissionDenied:
        user = None
    if getattr(request, "axes_locked_out", False):
        raise SignInRefused(
            f"{username}: locked after too many failed sign-ins; try again later or ask an administrator."
        )
    if user is None or not user.is_active:
        raise SignInRefused(f"{username}: unknown user, inactive account or wrong password.")
    return user
