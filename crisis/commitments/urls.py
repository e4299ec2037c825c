from django.urls import path

from . import views

app_name = "commitments"
urlpatterns = [
    path("statements/<int:pk>/promises/suggest/", views.commitments_suggest_view, name="suggest"),
    path("promises/<int:pk>/<str:action>/", views.commitment_action_view, name="action"),
]
