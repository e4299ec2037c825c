from django.urls import path

from . import views, views_thorns

app_name = "reports"
urlpatterns = [
    path("incidents/<int:pk>/report/", views.report_page, name="report"),
    path("incidents/<int:pk>/report/postmortem/", views.postmortem_edit, name="postmortem-edit"),
    path("incidents/<int:pk>/report/action-items/", views.action_item_add, name="action-item-add"),
    path("incidents/<int:pk>/report/generate/", views.report_generate_view, name="generate"),
    path("incidents/<int:pk>/report/files/<int:file_pk>/", views.report_file_status, name="file-status"),
    path("incidents/<int:pk>/report/download/<str:fmt>/", views.report_download, name="download"),
    path("incidents/<int:pk>/links/", views_thorns.incident_link_view, name="incident-link"),
    path("action-items/", views.action_item_list, name="action-items"),
    path("action-items/<int:item_pk>/status/", views.action_item_status, name="action-item-status"),
    path("analytics/", views.analytics_page, name="analytics"),
    path("analytics.csv", views.analytics_csv, name="analytics-csv"),
]
