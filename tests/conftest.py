"""Shared test helpers.

OPENIOM_REQUIRE_SERVICES=1 (set by .ci/run) turns a missing service (PostgreSQL, Chromium, Java)
into a failure: CI must never go green by skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_SERVICES = os.environ.get("OPENIOM_REQUIRE_SERVICES") == "1"


def service_unavailable(reason: str) -> None:
    """Skip on a developer machine without the service; fail in CI."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def java_home() -> str:
    java = shutil.which("java")
    if java is None:
        service_unavailable("Java is not installed (Spark needs it)")
    return os.path.dirname(os.path.dirname(os.path.realpath(java or "")))
