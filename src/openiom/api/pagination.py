from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Opaque cursors: a page stays right while records are added, unlike page numbers."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "id"

    def decode_cursor(self, request: Any) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            # A cursor the API did not give is a bad parameter, named as such, not a missing page.
            raise ValidationError({self.cursor_query_param: [_("Not a cursor this API gave.")]}) from exc


class NewestFirst(Cursor):
    ordering = "-id"
