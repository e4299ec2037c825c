"""Addresses that travel in messages and calendars: the same for every reader, so outside the language prefix."""

from django.urls import path

from . import views, views_calendar

app_name = "oncall"

urlpatterns = [
    path("ack/<str:token>/", views.ack_link, name="ack"),
    path("calendar/schedule/<str:token>.ics", views_calendar.schedule_feed, name="schedule-feed"),
    path("calendar/person/<str:token>.ics", views_calendar.person_feed, name="person-feed"),
]
