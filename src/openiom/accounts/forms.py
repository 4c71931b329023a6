from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from openiom.accounts.throttle import account_wait_seconds, client_ip, wait_message


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Enter a correct username and password. Both are case-sensitive."),
        "inactive": _("This account has been deactivated. Contact your administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")

    def clean(self) -> dict[str, Any]:
        # Before the password is checked, so a slowed attempt neither counts nor tells anything.
        username = self.cleaned_data.get("username") or ""
        if self.request is not None:
            wait = account_wait_seconds(username, client_ip(self.request))
            if wait:
                raise forms.ValidationError(wait_message(wait), code="slowed")
        cleaned: dict[str, Any] = super().clean()
        return cleaned


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
