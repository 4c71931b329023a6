"""Starting Django for a command: its own module, so neither `iom` nor the permission check imports the other."""

from __future__ import annotations

import os


def setup_django() -> None:
    """Commands that touch the application database call this first."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openiom.config.settings")
    django.setup()
