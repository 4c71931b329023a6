from django.urls import path

from openiom.audit import views

app_name = "audit"
urlpatterns = [
    path("people/<int:person_id>/access-log", views.access_log, name="access-log"),
    path("people/<int:person_id>/access-log.csv", views.access_log_csv, name="access-log-csv"),
    path("people/<int:person_id>/subject-access.zip", views.subject_access, name="subject-access"),
]
