"""The on-call pages of the desk, in the reader's language like the rest of it (inside i18n_patterns)."""

from django.urls import path

from . import views, views_calendar, views_contacts

app_name = "oncall_desk"

urlpatterns = [
    path("sent/", views.sent_messages, name="sent"),
    path("pages/<int:page_id>/acknowledge/", views.page_acknowledge_view, name="page-acknowledge"),
    path("me/calendar/rotate/", views_calendar.calendar_rotate, name="calendar-rotate"),
    path("members/<int:user_id>/calendar/rotate/", views_calendar.member_calendar_rotate,
         name="member-calendar-rotate"),
    path("me/", views_contacts.my_notifications, name="my-notifications"),
    path("me/contacts/add/", views_contacts.contact_add, name="contact-add"),
    path("me/contacts/<int:contact_id>/edit/", views_contacts.contact_edit, name="contact-edit"),
    path("me/contacts/<int:contact_id>/remove/", views_contacts.contact_remove, name="contact-remove"),
    path("me/quiet-hours/", views_contacts.quiet_hours_set, name="quiet-hours"),
    path("contacts/<int:contact_id>/test/", views_contacts.contact_test, name="contact-test"),
]
