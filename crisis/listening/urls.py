from django.urls import path

from .views import decisions, thresholds

app_name = "listening"

urlpatterns = [
    path("thresholds/", thresholds.thresholds_edit, name="thresholds"),
    path("incidents/<int:incident_id>/suggestion/apply/", decisions.suggestion_apply_view, name="suggestion-apply"),
    path("incidents/<int:incident_id>/suggestion/dismiss/", decisions.suggestion_dismiss_view,
         name="suggestion-dismiss"),
]
