from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from openiom.access.policy import ACTION_ATTR, PUBLIC, TWO_FACTOR, requires
from openiom.accounts import selectors, services
from openiom.accounts.forms import SignInForm, TokenForm
from openiom.accounts.two_factor import two_factor_done
from openiom.accounts.types import AuthenticatedRequest

if TYPE_CHECKING:
    from openiom.accounts.models import User


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        if settings.OPENIOM_OIDC_ENABLED:
            context["sso_provider"] = settings.OPENIOM_OIDC_PROVIDER_NAME
            context["sso_failed"] = self.request.GET.get("sso") == "failed"
        return context


setattr(SignInView, ACTION_ATTR, PUBLIC)


class SignOutView(auth_views.LogoutView):
    pass


setattr(SignOutView, ACTION_ATTR, PUBLIC)


@requires(TWO_FACTOR)
def two_factor(request: AuthenticatedRequest) -> HttpResponse:
    """Verify a TOTP code; a user with no authenticator yet is shown how to set one up first."""
    user: User = request.user
    if two_factor_done(request):
        return redirect("web:home")
    device = selectors.totp_device_of(user)
    if device is None:
        device = services.totp_device_create(user=user)
    form = TokenForm(request.POST or None)
    allowed, _details = device.verify_is_allowed()
    if request.method == "POST" and form.is_valid():
        if not allowed:
            # django-otp slows down repeated guesses; say so rather than report a wrong code.
            form.add_error("token", _("Too many attempts. Wait a few seconds and try again."))
        elif device.verify_token(form.cleaned_data["token"]):
            if not device.confirmed:
                services.totp_device_confirm(device=device)
            otp_login(request, device)
            messages.success(request, _("You are signed in."))
            return redirect(_safe_next(request) or "web:home")
        else:
            form.add_error("token", _("The security code is not correct. Check your app and try again."))
    context = {"form": form, "device": device, "setup": not device.confirmed}
    if not device.confirmed:
        context["qr_svg"] = services.totp_qr_svg(device)
        context["secret"] = services.totp_secret_base32(device)
    return render(request, "accounts/two_factor.html", context)


def _safe_next(request: AuthenticatedRequest) -> str | None:
    target = request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None
