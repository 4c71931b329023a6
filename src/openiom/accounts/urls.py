from django.urls import path

from openiom.accounts import oidc, views

app_name = "accounts"
urlpatterns = [
    path("sign-in", views.SignInView.as_view(), name="sign-in"),
    path("sign-out", views.SignOutView.as_view(), name="sign-out"),
    path("two-factor", views.two_factor, name="two-factor"),
    path("oidc/authenticate/", oidc.authenticate, name="oidc-authenticate"),
    path("oidc/callback/", oidc.callback, name="oidc-callback"),
]
