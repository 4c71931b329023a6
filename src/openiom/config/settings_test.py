"""Settings for the test suite: the application's settings with test-only speed-ups.

Argon2 is deliberately slow (that is its job); the suite creates hundreds of users, and hashing
their passwords was most of some folders' run time. Production hashing is still tested, against
the application's own hasher list (tests/accounts/test_sign_in.py).
"""

from __future__ import annotations

from openiom.config.settings import *  # noqa: F403
from openiom.config.settings import PASSWORD_HASHERS as PRODUCTION_PASSWORD_HASHERS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]
