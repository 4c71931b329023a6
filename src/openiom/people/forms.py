from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

QUERY_LENGTH = 200
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_MESSAGE = _("Search terms cannot contain control characters. Type your search again.")


class SearchForm(forms.Form):
    """The search box. Refuses NUL (which PostgreSQL can neither compare nor store, not even in the
    audit row) and other control characters, so every database gives the same clear message."""

    q = forms.CharField(required=False, error_messages={"null_characters_not_allowed": CONTROL_MESSAGE})

    def clean_q(self) -> str:
        query: str = self.cleaned_data["q"]
        if CONTROL_CHARACTERS.search(query):
            raise forms.ValidationError(CONTROL_MESSAGE, code="control_characters")
        # Long pastes are cut rather than refused, as the search box always has.
        return query[:QUERY_LENGTH]
