from django.urls import path

from openiom.workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.index, name="index"),
    path("coverage.csv", views.coverage_csv, name="coverage-csv"),
    path("records/new", views.record_new, name="record-new"),
    path("mine/", views.mine, name="mine"),
    path("lanes", views.lanes, name="lanes"),
    path("courses/", views.course_list, name="courses"),
    path("courses/new", views.course_new, name="course-new"),
    path("courses/<int:course_id>", views.course_edit, name="course"),
]
