"""Administration in the web: accounts, agencies, schemes and sharing agreements. Every page is
permission-checked through the central policy and every change goes through access.administration,
which audits it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openiom.access import admin_forms, selectors
from openiom.access.administration import (
    AdminError,
    admin_agency_create,
    admin_agreement_create,
    admin_agreement_end,
    admin_agreement_renew,
    admin_scheme_create,
    admin_two_factor_reset,
    admin_user_create,
    admin_user_update,
)
from openiom.access.policy import requires
from openiom.accounts.types import AuthenticatedRequest


def _form_page(
    request: AuthenticatedRequest,
    form: forms.Form,
    *,
    title: str,
    button: str,
    back: str,
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
    caption: str = "",
    intro: str = "",
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except AdminError as error:
            for name, message in error.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, done(saved))
            return redirect(back)
    context = {
        "title": title,
        "form": form,
        "button": button,
        "back": back,
        "caption": caption,
        "intro": intro,
    }
    return render(request, "cases/form_page.html", context)


@requires("users.manage")
def users(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "access/admin/users.html", {"users": selectors.admin_users()})


@requires("users.manage")
def user_create(request: AuthenticatedRequest) -> HttpResponse:
    form = admin_forms.UserCreateForm(request.POST or None)
    password = secrets.token_urlsafe(12)
    return _form_page(
        request,
        form,
        title=_("Create an account"),
        button=_("Create account"),
        back=reverse("access:admin-users"),
        intro=_("They set up two-factor sign-in the first time they sign in."),
        save=lambda d: admin_user_create(by=request.user, password=password, **d),
        done=lambda user: (
            _("Account %(username)s created. Give them this one-time password in person: %(password)s")
            % {"username": user.username, "password": password}
        ),
    )


def _user_or_404(user_id: int) -> Any:
    user = selectors.admin_user(user_id=user_id)
    if user is None:
        raise Http404
    return user


@requires("users.manage")
def user_edit(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    user = _user_or_404(user_id)
    initial = {
        "role": user.role,
        "agency": user.agency_id,
        "schemes": [s.pk for s in selectors.admin_user_schemes(user=user)],
        "is_active": user.is_active,
    }
    form = admin_forms.UserUpdateForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        title=_("Change an account"),
        caption=user.get_full_name() or user.username,
        button=_("Save changes"),
        back=reverse("access:admin-users"),
        save=lambda d: admin_user_update(by=request.user, user=user, **d),
        done=lambda saved: _("%(username)s's account has been changed.") % {"username": saved.username},
    )


@requires("users.manage")
def user_two_factor_reset(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    user = _user_or_404(user_id)
    # An empty POST is still a confirmation: the form has no fields.
    form = forms.Form(request.POST if request.method == "POST" else None)
    return _form_page(
        request,
        form,
        title=_("Reset two-factor sign-in"),
        caption=user.get_full_name() or user.username,
        intro=_("Their authenticator app stops working; they set up a new one at their next sign-in."),
        button=_("Reset two-factor sign-in"),
        back=reverse("access:admin-users"),
        save=lambda _d: admin_two_factor_reset(by=request.user, user=user),
        done=lambda _n: (
            _("Two-factor sign-in has been reset for %(username)s.") % {"username": user.username}
        ),
    )


@requires("agencies.manage")
def agencies(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "access/admin/agencies.html", {"agencies": selectors.admin_agencies()})


@requires("agencies.manage")
def agency_create(request: AuthenticatedRequest) -> HttpResponse:
    return _form_page(
        request,
        admin_forms.AgencyForm(request.POST or None),
        title=_("Add an agency"),
        button=_("Add agency"),
        back=reverse("access:admin-agencies"),
        save=lambda d: admin_agency_create(by=request.user, **d),
        done=lambda agency: _("%(name)s has been added.") % {"name": agency.name},
    )


@requires("schemes.manage")
def schemes(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "access/admin/schemes.html", {"schemes": selectors.admin_schemes()})


@requires("schemes.manage")
def scheme_create(request: AuthenticatedRequest) -> HttpResponse:
    return _form_page(
        request,
        admin_forms.SchemeForm(request.POST or None),
        title=_("Set up an IOM scheme"),
        button=_("Set up scheme"),
        back=reverse("access:admin-schemes"),
        save=lambda d: admin_scheme_create(by=request.user, **d),
        done=lambda scheme: _("%(name)s has been set up.") % {"name": scheme.name},
    )


@requires("agreements.manage")
def agreements(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "access/admin/agreements.html",
        {"agreements": selectors.admin_agreements(), "today": timezone.localdate()},
    )


@requires("agreements.manage")
def agreement_create(request: AuthenticatedRequest) -> HttpResponse:
    return _form_page(
        request,
        admin_forms.AgreementForm(request.POST or None),
        title=_("Record a sharing agreement"),
        button=_("Record agreement"),
        back=reverse("access:admin-agreements"),
        save=lambda d: admin_agreement_create(by=request.user, **d),
        done=lambda a: _("%(title)s has been recorded.") % {"title": a.title},
    )


def _agreement_or_404(agreement_id: int) -> Any:
    agreement = selectors.admin_agreement(agreement_id=agreement_id)
    if agreement is None:
        raise Http404
    return agreement


@requires("agreements.manage")
def agreement_renew(request: AuthenticatedRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement_or_404(agreement_id)
    return _form_page(
        request,
        admin_forms.RenewForm(request.POST or None),
        title=_("Renew a sharing agreement"),
        caption=agreement.title,
        intro=_("Renew it once it has been reviewed; sharing under it resumes if it had lapsed."),
        button=_("Renew agreement"),
        back=reverse("access:admin-agreements"),
        save=lambda d: admin_agreement_renew(by=request.user, agreement=agreement, **d),
        done=lambda a: _("%(title)s has been renewed.") % {"title": a.title},
    )


@requires("agreements.manage")
def agreement_end(request: AuthenticatedRequest, agreement_id: int) -> HttpResponse:
    agreement = _agreement_or_404(agreement_id)
    return _form_page(
        request,
        admin_forms.EndForm(request.POST or None),
        title=_("End a sharing agreement"),
        caption=agreement.title,
        intro=_("Nothing more is shared under it from now on."),
        button=_("End agreement"),
        back=reverse("access:admin-agreements"),
        save=lambda d: admin_agreement_end(by=request.user, agreement=agreement, **d),
        done=lambda a: _("%(title)s has ended.") % {"title": a.title},
    )
