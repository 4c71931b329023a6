"""Settings for the test suite: the application's settings with test-only speed-ups.

Argon2 is deliberately slow (that is its job); the suite creates hundreds of users, and hashing
their passwords was most of some folders' run time. Production hashing is still tested, against
the application's own hasher list (tests/accounts/test_sign_in.py).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from openiom.config.settings import *  # noqa: F403
from openiom.config.settings import PASSWORD_HASHERS as PRODUCTION_PASSWORD_HASHERS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]

# The suite signs audit checkpoints into its own folder, never a developer's var/ (whose checkpoints
# would then disagree with their own database); tests that verify the trail use a folder per test.
_AUDIT_DIR = Path(tempfile.mkdtemp(prefix="openiom-test-audit-"))
atexit.register(shutil.rmtree, _AUDIT_DIR, ignore_errors=True)
OPENIOM_AUDIT_CHECKPOINT_DIR = _AUDIT_DIR / "checkpoints"
OPENIOM_AUDIT_SIGNING_KEY_FILE = str(_AUDIT_DIR / "signing-key.pem")
