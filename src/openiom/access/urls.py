from django.urls import path

from openiom.access import views

app_name = "access"
urlpatterns = [
    path("agreements", views.agreements, name="agreements"),
    path("alerts", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/acknowledge", views.alert_acknowledge, name="alert-acknowledge"),
    path("national", views.national, name="national"),
]
