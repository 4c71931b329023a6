from django.urls import path

from openiom.cohorts import views

app_name = "cohorts"
urlpatterns = [path("", views.index, name="index")]
