from django.urls import path

from openiom.api import views

app_name = "api"

urlpatterns = [
    path("token", views.Token.as_view(), name="token"),
    path("openapi.json", views.Schema.as_view(), name="schema"),
    path("docs/", views.Docs.as_view(), name="docs"),
    path("people", views.PeopleSearch.as_view(), name="people"),
    path("people/<str:person_id>", views.PersonDetail.as_view(), name="person"),
    path("referrals", views.Referrals.as_view(), name="referrals"),
    path("referrals/<str:referral_id>", views.ReferralDetail.as_view(), name="referral"),
    path("referrals/<str:referral_id>/status", views.ReferralStatusChange.as_view(), name="referral-status"),
    path("reference/datasets", views.ReferenceDataSets.as_view(), name="reference-datasets"),
]
