"""Calendar feeds, and revoking their links from the desk (the person's own, or a member's by an admin)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from crisis import clock
from crisis.services.errors import NotFound, PermissionDenied
from crisis.web.access import current_organization, desk_view
from crisis.web.rendering import desk_render

from .calendar import person_for_link, person_ical, schedule_for_link, schedule_ical
from .links import AckLinkInvalid
from .services.calendars import calendar_secret_rotate

BACK = "crisis:oncall-schedule"


def _ical(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def schedule_feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        schedule = schedule_for_link(token)
    except AckLinkInvalid as exc:
        raise Http404(exc.message) from exc
    return _ical(schedule_ical(schedule=schedule, start=clock.now()), f"oncall-{schedule.pk}.ics")


@require_safe
def person_feed(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = person_for_link(token)
    except AckLinkInvalid as exc:
        raise Http404(exc.message) from exc
    return _ical(person_ical(user=user, start=clock.now()), f"oncall-person-{user.pk}.ics")


def _rotate(request: HttpRequest, user, done: str) -> HttpResponse:
    try:
        calendar_secret_rotate(user=user, actor=request.user, organization=current_organization(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except PermissionDenied:
        return desk_render(request, "crisis/forbidden.html", {}, status=403)
    messages.success(request, done)
    return redirect(BACK)


@desk_view
@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    return _rotate(request, request.user,
                   _("New calendar links made. The old ones no longer work: subscribe again with the new ones."))


@desk_view
@require_POST
def member_calendar_rotate(request: HttpRequest, user_id: int) -> HttpResponse:
    """An admin revokes a member's links (a lost phone, a link pasted in the wrong chat)."""
    user = get_object_or_404(get_user_model(), pk=user_id)
    return _rotate(request, user, _("That member's calendar links no longer work; they will find new ones on "
                                    "the on-call page."))
