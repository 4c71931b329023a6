from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Enter a correct username and password. Both are case-sensitive."),
        "inactive": _("This account has been deactivated. Contact your administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Security code"),
        help_text=_("The 6-digit code shown in your authenticator app"),
        min_length=6,
        max_length=6,
        error_messages={
            "required": _("Enter the 6-digit security code"),
            "min_length": _("The security code must be 6 digits"),
            "max_length": _("The security code must be 6 digits"),
        },
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("The security code must be 6 digits"))
        return token
