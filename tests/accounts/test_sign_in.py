import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiom.accounts.models import User
from openiom.accounts.roles import Role
from openiom.accounts.services import user_create

pytestmark = pytest.mark.django_db
PASSWORD = "a long test password"


@pytest.fixture
def officer() -> User:
    return user_create(username="officer", password=PASSWORD, role=Role.POLICE_OFFICER)


def test_passwords_are_hashed_with_argon2(settings: object) -> None:
    from openiom.config import settings as application_settings

    settings.PASSWORD_HASHERS = application_settings.PASSWORD_HASHERS  # type: ignore[attr-defined]
    user = user_create(username="argon", password=PASSWORD, role=Role.POLICE_OFFICER)
    assert user.password.startswith("argon2")


def test_sign_in_and_out(officer: User) -> None:
    client = Client()
    response = client.post("/sign-in", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.post("/sign-out").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_explained(officer: User) -> None:
    response = Client().post("/sign-in", {"username": "officer", "password": "wrong"})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_account_locks_after_repeated_failures(officer: User, settings: object) -> None:
    client = Client()
    for _ in range(5):
        client.post("/sign-in", {"username": "officer", "password": "wrong"})
    response = client.post("/sign-in", {"username": "officer", "password": PASSWORD})
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()


def test_two_factor_is_enforced_when_required(officer: User, settings: object) -> None:
    settings.OPENIOM_REQUIRE_2FA = True  # type: ignore[attr-defined]
    client = Client()
    client.post("/sign-in", {"username": "officer", "password": PASSWORD})
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"] == "/two-factor?next=/people/"
    setup = client.get("/two-factor")
    assert "Set up your authenticator app" in setup.content.decode()
    device = TOTPDevice.objects.get(user=officer)
    bad = client.post("/two-factor", {"token": "000000" if totp(device.bin_key) != 0 else "111111"})
    assert "The security code is not correct" in bad.content.decode()
    throttled = client.post("/two-factor", {"token": f"{totp(device.bin_key):06d}"})
    assert "Too many attempts" in throttled.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    good = client.post("/two-factor?next=/people/", {"token": f"{totp(device.bin_key):06d}"})
    assert good.status_code == 302 and good["Location"] == "/people/"
    assert client.get("/people/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def _expiry(client: Client) -> object:
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_an_idle_session_ends_and_a_used_one_is_kept_alive(officer: User, settings: object) -> None:
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    client.post("/sign-in", {"username": "officer", "password": PASSWORD})
    first = _expiry(client)
    # Used again within the refresh interval: no session write.
    assert client.get("/").status_code == 200
    assert _expiry(client) == first
    # Used after the refresh interval: saved again, so the idle clock restarts.
    session = client.session
    session["_openiom_seen"] = 0
    session.save()
    saved = _expiry(client)
    assert client.get("/").status_code == 200
    assert _expiry(client) > saved
    # Idle past SESSION_COOKIE_AGE: the store has dropped the session and the user must sign in.
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in")
