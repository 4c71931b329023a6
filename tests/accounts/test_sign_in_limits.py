"""Sign-in limits behind the documented TLS proxy (a tester locked out any account through it)."""

import re
from typing import Any

import pytest
from django.test import Client

from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.accounts.services import user_create
from tests.conftest import iom

pytestmark = pytest.mark.django_db
PASSWORD = "a long test password"
PROXY = "10.0.0.1"


@pytest.fixture
def officer(settings: Any) -> User:
    settings.OPENIOM_TRUSTED_PROXIES = ["10.0.0.0/24"]
    return user_create(username="officer", password=PASSWORD, role=Role.POLICE_OFFICER)


def sign_in(client_address: str, password: str, *, via: str = PROXY, forwarded: str | None = None) -> Any:
    chain = forwarded if forwarded is not None else client_address
    return Client().post(
        "/sign-in",
        {"username": "officer", "password": password},
        REMOTE_ADDR=via,
        HTTP_X_FORWARDED_FOR=chain,
    )


def test_an_attacker_behind_the_proxy_locks_only_their_own_address(officer: User) -> None:
    for _ in range(5):
        sign_in("203.0.113.5", "wrong")
    assert sign_in("203.0.113.5", PASSWORD).status_code == 429
    assert sign_in("198.51.100.7", PASSWORD).status_code == 302


def test_a_forged_forwarded_address_is_not_believed(officer: User, settings: Any) -> None:
    settings.OPENIOM_ACCOUNT_SLOW_AFTER = 100  # the lockout, not the account's slowing, is under test
    # Straight to the application, not through the proxy: X-Forwarded-For is the client's own claim.
    for n in range(5):
        sign_in("", "wrong", via="203.0.113.9", forwarded=f"192.0.2.{n}")
    assert sign_in("", PASSWORD, via="203.0.113.9", forwarded="192.0.2.99").status_code == 429
    # Through the proxy, what the client wrote to the left of the proxy's entry is ignored too.
    for n in range(5):
        sign_in("", "wrong", forwarded=f"192.0.2.{n}, 203.0.113.20")
    assert sign_in("", PASSWORD, forwarded="192.0.2.99, 203.0.113.20").status_code == 429


def test_guessing_from_many_addresses_is_slowed_but_the_user_gets_in(officer: User, settings: Any) -> None:
    # Six failures, five over the limit: a wait of 2**5 seconds after the last one. The limit is
    # lowered only after the six, so each is a counted failure however slowly the machine runs
    # them (a refused attempt during a wait is not one, and a 2-second wait could pass between).
    assert sign_in("198.51.100.7", PASSWORD).status_code == 302  # the officer's usual address
    settings.OPENIOM_ACCOUNT_SLOW_AFTER = 100
    for n in range(6):
        assert sign_in(f"203.0.113.{n}", "wrong").status_code == 200
    settings.OPENIOM_ACCOUNT_SLOW_AFTER = 1
    slowed = sign_in("203.0.113.200", PASSWORD)
    assert slowed.status_code == 200
    assert re.search(r"too many failed sign-ins to this account. Wait \d+ seconds?", slowed.content.decode())
    # The officer's own address is not slowed, and nothing locked the account.
    assert sign_in("198.51.100.7", PASSWORD).status_code == 302


def test_the_command_line_is_throttled_too(officer: User, settings: Any) -> None:
    admin = user_create(username="officer.admin", password=PASSWORD, role=Role.ADMINISTRATOR)
    settings.OPENIOM_ACCOUNT_SLOW_AFTER = 100
    for _ in range(3):
        wrong: Any = iom(["audit", "verify"], user=admin, password="not it")
        assert wrong.exit_code == 1 and "wrong password" in wrong.output
    # Three failures over a limit of none: even the right password must wait 2**3 seconds.
    settings.OPENIOM_ACCOUNT_SLOW_AFTER = 0
    slowed: Any = iom(["audit", "verify"], user=admin, password=PASSWORD)
    assert slowed.exit_code == 1
    assert re.search(r"too many failed sign-ins to this account. Wait [1-8] seconds?", slowed.output)
    # And the command line's own address is locked like any other, after AXES_FAILURE_LIMIT failures.
    settings.OPENIOM_ACCOUNT_SLOW_AFTER = 100
    settings.AXES_FAILURE_LIMIT = 4
    iom(["audit", "verify"], user=admin, password="not it")
    locked: Any = iom(["audit", "verify"], user=admin, password=PASSWORD)
    assert locked.exit_code == 1 and "locked after too many failed sign-ins" in locked.output
