from django.urls import path

from openiom.accounts import sso_views, views

app_name = "accounts"
urlpatterns = [
    path("sign-in", views.SignInView.as_view(), name="sign-in"),
    path("sign-out", views.SignOutView.as_view(), name="sign-out"),
    path("two-factor", views.two_factor, name="two-factor"),
    path("oidc/authenticate/", sso_views.authenticate, name="oidc-authenticate"),
    path("oidc/callback/", sso_views.callback, name="oidc-callback"),
]
