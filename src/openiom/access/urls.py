from django.urls import path

from openiom.access import admin_views, views

app_name = "access"
urlpatterns = [
    path("agreements", views.agreements, name="agreements"),
    path("alerts", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/acknowledge", views.alert_acknowledge, name="alert-acknowledge"),
    path("national", views.national, name="national"),
    path("admin/users", admin_views.users, name="admin-users"),
    path("admin/users/new", admin_views.user_create, name="admin-user-create"),
    path("admin/users/<int:user_id>", admin_views.user_edit, name="admin-user-edit"),
    path("admin/users/<int:user_id>/two-factor", admin_views.user_two_factor_reset, name="admin-user-2fa"),
    path("admin/agencies", admin_views.agencies, name="admin-agencies"),
    path("admin/agencies/new", admin_views.agency_create, name="admin-agency-create"),
    path("admin/schemes", admin_views.schemes, name="admin-schemes"),
    path("admin/schemes/new", admin_views.scheme_create, name="admin-scheme-create"),
    path("admin/agreements", admin_views.agreements, name="admin-agreements"),
    path("admin/agreements/new", admin_views.agreement_create, name="admin-agreement-create"),
    path(
        "admin/agreements/<int:agreement_id>/renew", admin_views.agreement_renew, name="admin-agreement-renew"
    ),
    path("admin/agreements/<int:agreement_id>/end", admin_views.agreement_end, name="admin-agreement-end"),
]
