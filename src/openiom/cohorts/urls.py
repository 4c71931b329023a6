from django.urls import path

from openiom.cohorts import definition_views, transparency_views, views

app_name = "cohorts"
urlpatterns = [
    path("", views.index, name="index"),
    path("definitions/", definition_views.definition_list, name="definitions"),
    path("definitions/<slug:definition_id>/", definition_views.definition_detail, name="definition"),
    path("definitions/<slug:definition_id>/copy/", definition_views.definition_copy, name="definition-copy"),
    path("definitions/<slug:definition_id>/edit/", definition_views.definition_edit, name="definition-edit"),
    path("definitions/<slug:definition_id>/transparency/", transparency_views.record, name="transparency"),
    path(
        "definitions/<slug:definition_id>/transparency.json",
        transparency_views.record_json,
        name="transparency-json",
    ),
    path(
        "definitions/<slug:definition_id>/transparency/edit/",
        transparency_views.record_edit,
        name="transparency-edit",
    ),
    path(
        "definitions/<slug:definition_id>/transparency/publish",
        transparency_views.record_publish,
        name="transparency-publish",
    ),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("jobs/<int:job_id>/cancel", views.job_cancel, name="job-cancel"),
    path("jobs/<int:job_id>/cohort-analysis.csv", views.job_csv, name="job-csv"),
]
