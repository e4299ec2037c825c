from django.urls import path

from . import views

app_name = "oncall"

urlpatterns = [
    path("ack/<str:token>/", views.ack_link, name="ack"),
    path("sent/", views.sent_messages, name="sent"),
    path("pages/<int:page_id>/acknowledge/", views.page_acknowledge_view, name="page-acknowledge"),
    path("contacts/<int:contact_id>/test/", views.contact_test, name="contact-test"),
    path("calendar/schedule/<str:token>.ics", views.schedule_feed, name="schedule-feed"),
    path("calendar/person/<str:token>.ics", views.person_feed, name="person-feed"),
]
