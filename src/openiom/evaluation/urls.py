from django.urls import path

from openiom.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:run_id>/", views.status, name="status"),
    path("<int:run_id>/cancel", views.cancel, name="cancel"),
    path("<int:run_id>/report.html", views.report_html, name="report-html"),
    path("<int:run_id>/report.pdf", views.report_pdf, name="report-pdf"),
    path("<int:run_id>/results.json", views.results_json, name="results-json"),
]
