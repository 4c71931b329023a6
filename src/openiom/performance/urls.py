from django.urls import path

from openiom.performance import views

app_name = "performance"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures.csv", views.figures_download, name="figures-csv"),
    path("quality/", views.quality, name="quality"),
    path("reports/<int:run_id>/", views.report, name="report"),
    path("reports/<int:run_id>/report.html", views.report_html, name="report-html"),
    path("reports/<int:run_id>/report.pdf", views.report_pdf, name="report-pdf"),
    path("reports/<int:run_id>/figures.csv", views.report_csv, name="report-csv"),
]
