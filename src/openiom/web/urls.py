from django.urls import path

from openiom.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("accessibility", views.accessibility, name="accessibility"),
    path("privacy", views.privacy, name="privacy"),
]
