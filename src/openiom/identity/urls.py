from django.urls import path

from openiom.identity import views

app_name = "identity"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("pairs/<int:candidate_id>/", views.pair, name="pair"),
    path("people/<int:person_id>/", views.records, name="records"),
]
