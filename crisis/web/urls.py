from django.urls import path

from .views import clock, dashboard, incidents, invitations, oncall, playbooks, sentiment, statements, timeline

app_name = "crisis"
urlpatterns = [
    path("", dashboard.home, name="home"),
    path("organization/", dashboard.organization_switch, name="organization-switch"),
    path("incidents/new/", incidents.incident_open_view, name="incident-open"),
    path("incidents/<int:pk>/", incidents.incident_room, name="incident-room"),
    path("incidents/<int:pk>/status/", incidents.incident_status, name="incident-status"),
    path("incidents/<int:pk>/severity/", incidents.incident_severity, name="incident-severity"),
    path("incidents/<int:pk>/acknowledge/", incidents.incident_acknowledge_view, name="incident-acknowledge"),
    path("incidents/<int:pk>/signal/", incidents.incident_signal, name="incident-signal"),
    path("incidents/<int:pk>/version/", incidents.room_version, name="incident-version"),
    path("incidents/<int:pk>/panels/", incidents.room_panels, name="incident-panels"),
    path("incidents/<int:pk>/clock/", clock.golden_clock, name="incident-clock"),
    path("incidents/<int:pk>/timeline/", timeline.timeline_partial, name="incident-timeline"),
    path("incidents/<int:pk>/log/", timeline.quick_log, name="incident-log"),
    path("incidents/<int:pk>/events/<int:event_pk>/correct/", timeline.event_correct, name="event-correct"),
    path("incidents/<int:pk>/events/<int:event_pk>/pin/", timeline.event_pin, name="event-pin"),
    path("incidents/<int:pk>/chart/", sentiment.chart_partial, name="incident-chart"),
    path("incidents/<int:pk>/sentiment/", sentiment.sentiment_entry, name="sentiment-entry"),
    path("incidents/<int:pk>/sentiment/upload/", sentiment.sentiment_upload, name="sentiment-upload"),
    path("incidents/<int:pk>/statements/new/", statements.statement_new, name="statement-new"),
    path("statements/<int:pk>/", statements.statement_detail, name="statement-detail"),
    path("statements/<int:pk>/<str:action>/", statements.statement_action, name="statement-action"),
    path("deadlines/<int:pk>/<str:action>/", clock.deadline_action, name="deadline-action"),
    path("playbooks/", playbooks.playbook_list, name="playbooks"),
    path("on-call/", oncall.oncall_schedule, name="oncall-schedule"),
    path("invitations/<str:token>/", invitations.invitation_accept_view, name="invitation-accept"),
    path("playbooks/<int:pk>/edit/", playbooks.playbook_edit, name="playbook-edit"),
]
