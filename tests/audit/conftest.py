from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def audit_store(tmp_path: Path, settings: Any) -> Path:
    """Each test its own checkpoint store and signing key: the database is emptied between tests,
    and checkpoints of an earlier test's rows would disagree with this one's."""
    store = tmp_path / "checkpoints"
    settings.OPENIOM_AUDIT_CHECKPOINT_DIR = store
    settings.OPENIOM_AUDIT_SIGNING_KEY_FILE = str(tmp_path / "signing-key.pem")
    settings.OPENIOM_AUDIT_VERIFY_KEY_FILE = None
    settings.OPENIOM_AUDIT_CHECKPOINT_EVERY = 1
    return store
