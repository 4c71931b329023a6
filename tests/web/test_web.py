import os
import subprocess
import sys

import pytest
from django.test import Client


@pytest.mark.django_db
def test_health_reports_the_database() -> None:
    response = Client().get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_production_settings_are_secure() -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.OPENIOM_REQUIRE_2FA, s.SECURE_CSP['script-src'])"
    )
    env = {
        **os.environ,
        "OPENIOM_ENV": "production",
        "OPENIOM_SECRET_KEY": "x" * 50,
        "OPENIOM_ALLOWED_HOSTS": "iom.example",
        "DJANGO_SETTINGS_MODULE": "openiom.config.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out.startswith("False True True True True True")
    assert "CSP.NONCE" in out


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENIOM_SECRET_KEY"}
    env |= {
        "OPENIOM_ENV": "production",
        "OPENIOM_ALLOWED_HOSTS": "iom.example",
        "DJANGO_SETTINGS_MODULE": "openiom.config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "OPENIOM_SECRET_KEY must be set in production" in result.stderr


@pytest.mark.django_db
def test_security_headers() -> None:
    response = Client().get("/sign-in")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_500_page_needs_no_database(rf: object) -> None:
    from django.db import OperationalError
    from django.utils.functional import SimpleLazyObject

    from openiom.web.views import server_error

    def database_down() -> object:
        raise OperationalError("the database is down")

    request = rf.get("/")  # type: ignore[attr-defined]
    # Loading the signed-in user needs the database; the error page must not try.
    request.user = SimpleLazyObject(database_down)
    response = server_error(request)
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content
