"""Reads for the site-wide pages."""

from __future__ import annotations

from django.db import connection


def database_answers() -> bool:
    """Whether the database answers a query: any failure at all means it does not, for monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return False
    return True
