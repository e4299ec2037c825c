"""The on-call pages of the desk, in the reader's language like the rest of it (inside i18n_patterns)."""

from django.urls import path

from . import views, views_calendar, views_contacts, views_policies, views_setup, views_tokens

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
    path("me/tokens/", views_tokens.tokens, name="tokens"),
    path("me/tokens/add/", views_tokens.token_add, name="token-add"),
    path("me/tokens/<int:token_id>/revoke/", views_tokens.token_remove, name="token-revoke"),
    path("setup/", views_setup.setup, name="setup"),
    path("setup/schedules/add/", views_setup.schedule_add, name="schedule-add"),
    path("setup/schedules/<int:schedule_id>/", views_setup.schedule_view, name="schedule"),
    path("setup/schedules/<int:schedule_id>/remove/", views_setup.schedule_remove, name="schedule-remove"),
    path("setup/schedules/<int:schedule_id>/rotations/add/", views_setup.rotation_add, name="rotation-add"),
    path("setup/schedules/<int:schedule_id>/rotations/<int:rotation_id>/", views_setup.rotation_edit,
         name="rotation-edit"),
    path("setup/schedules/<int:schedule_id>/rotations/<int:rotation_id>/remove/", views_setup.rotation_remove,
         name="rotation-remove"),
    path("setup/schedules/<int:schedule_id>/overrides/add/", views_setup.override_add, name="override-add"),
    path("setup/schedules/<int:schedule_id>/overrides/<int:override_id>/", views_setup.override_edit,
         name="override-edit"),
    path("setup/schedules/<int:schedule_id>/overrides/<int:override_id>/remove/", views_setup.override_remove,
         name="override-remove"),
    path("setup/policies/add/", views_policies.policy_add, name="policy-add"),
    path("setup/policies/<int:policy_id>/", views_policies.policy_edit, name="policy-edit"),
    path("setup/policies/<int:policy_id>/remove/", views_policies.policy_remove, name="policy-remove"),
]
