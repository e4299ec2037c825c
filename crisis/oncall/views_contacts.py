"""The "My notifications" page: each person's own contact methods, test messages and quiet hours.

Another person's contact method is a 404 everywhere here: its existence is not ours to confirm.
"""

import zoneinfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crisis.models.zones import default_time_zone
from crisis.services.errors import DomainError
from crisis.web.access import desk_view
from crisis.web.errors import form_submit
from crisis.web.rendering import desk_render

from .forms import ContactMethodEditForm, ContactMethodForm, QuietHoursForm
from .models import ContactMethod, ContactPreference
from .services.contacts import (
    contact_method_add,
    contact_method_remove,
    contact_method_test,
    contact_method_update,
    contact_preference_set,
    contact_target_masked,
)

HERE = "oncall_desk:my-notifications"


def _own_contact(request: HttpRequest, contact_id: int) -> ContactMethod:
    return get_object_or_404(ContactMethod, pk=contact_id, user=request.user)


def _my_page(request: HttpRequest, *, add_form: ContactMethodForm | None = None,
             quiet_form: QuietHoursForm | None = None, status: int = 200) -> HttpResponse:
    contacts = list(ContactMethod.objects.filter(user=request.user).order_by("position", "id"))
    preference = ContactPreference.objects.filter(user=request.user).first()
    if add_form is None:
        next_position = max((c.position for c in contacts), default=-1) + 1
        add_form = ContactMethodForm(initial={"position": next_position})
    return desk_render(request, "oncall/my_notifications.html", {
        "contacts": [(c, contact_target_masked(kind=c.kind, target=c.target)) for c in contacts],
        "preference": preference,
        "add_form": add_form,
        "quiet_form": quiet_form or QuietHoursForm.for_preference(preference, default_time_zone()),
        "time_zones": sorted(zoneinfo.available_timezones()),
    }, status=status)


@desk_view
@require_GET
def my_notifications(request: HttpRequest) -> HttpResponse:
    return _my_page(request)


def _done(request: HttpRequest, act, success: str) -> HttpResponse:
    """A one-button action: say how it went and come back here."""
    try:
        act()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(HERE)


@desk_view
@require_POST
def contact_add(request: HttpRequest) -> HttpResponse:
    form = ContactMethodForm(request.POST)
    _saved, status = form_submit(form, lambda: contact_method_add(
        user=request.user, actor=request.user, **form.service_fields()))
    if status is None:
        messages.success(request, _("Contact method added. Send it a test notification to be sure it works."))
        return redirect(HERE)
    return _my_page(request, add_form=form, status=status)


@desk_view
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _own_contact(request, contact_id)
    status = 200
    if request.method == "POST":
        form = ContactMethodEditForm(request.POST, contact=contact)
        _saved, status = form_submit(form, lambda: contact_method_update(
            contact=contact, actor=request.user, **form.service_fields()))
        if status is None:
            messages.success(request, _("Contact method saved."))
            return redirect(HERE)
    else:
        form = ContactMethodEditForm(contact=contact)
    return desk_render(request, "oncall/contact_edit.html", {"contact": contact, "form": form}, status=status)


@desk_view
@require_POST
def contact_remove(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _own_contact(request, contact_id)
    return _done(request, lambda: contact_method_remove(contact=contact, actor=request.user),
                 _("Contact method removed."))


@desk_view
@require_POST
def contact_test(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _own_contact(request, contact_id)
    queued = format_html(_('Test notification queued. Follow it on <a href="{url}">Sent messages</a>.'),
                         url=reverse("oncall_desk:sent"))
    return _done(request, lambda: contact_method_test(contact=contact, actor=request.user), queued)


@desk_view
@require_POST
def quiet_hours_set(request: HttpRequest) -> HttpResponse:
    form = QuietHoursForm(request.POST)
    _saved, status = form_submit(form, lambda: contact_preference_set(
        user=request.user, actor=request.user, **form.cleaned_data))
    if status is None:
        messages.success(request, _("Quiet hours saved."))
        return redirect(HERE)
    return _my_page(request, quiet_form=form, status=status)
