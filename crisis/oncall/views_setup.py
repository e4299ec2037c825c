"""On-call setup in the desk: schedules, rotations and overrides, with a preview of who is on call and warnings
about what would not reach anyone (escalation policies are in views_policies.py).

Members see the setup read-only; organization admins change it (the services check that again). Another
organization's schedule or policy is a 404. Every page asks the database a fixed number of times, whatever the
number of schedules, members and overrides.
"""

import zoneinfo
from collections.abc import Callable

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crisis import clock
from crisis.models import Membership, Organization
from crisis.models.zones import default_time_zone
from crisis.selectors import organizations_for_user
from crisis.services.errors import DomainError
from crisis.web.access import Abilities, abilities_for, current_organization, desk_view
from crisis.web.errors import form_submit
from crisis.web.rendering import desk_render

from .forms import OverrideForm, RotationForm, ScheduleForm
from .models import EscalationLevel, EscalationPolicy, Override, Rotation, RotationMember, Schedule
from .preview import PREVIEW_DAYS, schedule_previews
from .services.schedules import (
    override_create,
    override_delete,
    override_update,
    rotation_create,
    rotation_delete,
    rotation_update,
    schedule_create,
    schedule_delete,
    schedule_update,
)
from .setup_checks import people_reachable, policy_warnings, rotation_warnings

HOME = "oncall_desk:setup"


def forbidden_page(request: HttpRequest) -> HttpResponse:
    return desk_render(request, "crisis/forbidden.html", {}, status=403)


def organization_for_request(request: HttpRequest) -> tuple[Organization, Abilities]:
    organization = current_organization(request)
    if organization is None:
        raise Http404
    return organization, abilities_for(user=request.user, organization=organization)


def _schedule(request: HttpRequest, schedule_id: int) -> tuple[Schedule, Abilities]:
    schedule = get_object_or_404(Schedule.objects.filter(
        organization__in=organizations_for_user(user=request.user)).select_related("organization"), pk=schedule_id)
    return schedule, abilities_for(user=request.user, organization=schedule.organization)


def organization_people(organization: Organization) -> list:
    return [m.user for m in Membership.objects.filter(organization=organization).select_related("user")
            .order_by("user__first_name", "user__last_name", "user__username")]


def _time_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def one_button(request: HttpRequest, act: Callable[[], object], success: str, back: str, *args) -> HttpResponse:
    try:
        act()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(back, *args)


def _policies(organization: Organization) -> list[EscalationPolicy]:
    return list(EscalationPolicy.objects.filter(organization=organization).order_by("name", "id")
                .prefetch_related(Prefetch("levels", EscalationLevel.objects.select_related("user", "schedule")
                                           .order_by("position", "id"))))


# --- The setup page: every schedule and policy, with warnings ---------------------------------------------------

def _setup_page(request: HttpRequest, *, schedule_form: ScheduleForm | None = None, status: int = 200):
    organization, abilities = organization_for_request(request)
    schedules = list(Schedule.objects.filter(organization=organization).order_by("name"))
    previews = schedule_previews(schedules=schedules, start=clock.now())
    rotations = list(Rotation.objects.filter(schedule__organization=organization)
                     .prefetch_related(Prefetch("members", RotationMember.objects.select_related("user")))
                     .order_by("position", "id"))
    policies = _policies(organization)
    reachable = people_reachable(user_ids={m.user_id for r in rotations for m in r.members.all()}
                                 | {lv.user_id for p in policies for lv in p.levels.all() if lv.user_id})
    warned_rotations = rotation_warnings(rotations=rotations, reachable=reachable)
    by_schedule: dict[int, list[str]] = {}
    for rotation in rotations:
        by_schedule.setdefault(rotation.schedule_id, []).extend(warned_rotations.get(rotation.pk, []))
    warned_policies = policy_warnings(policies=policies, previews=previews, reachable=reachable)
    return desk_render(request, "oncall/setup.html", {
        "organization": organization, "abilities": abilities,
        "schedules": [{"schedule": s, "preview": previews[s.pk], "warnings": by_schedule.get(s.pk, []),
                       "rotations": [r for r in rotations if r.schedule_id == s.pk]} for s in schedules],
        "policies": [{"policy": p, "levels": list(p.levels.all()), "warnings": warned_policies.get(p.pk, [])}
                     for p in policies],
        "schedule_form": schedule_form or ScheduleForm(initial={"time_zone": organization.time_zone
                                                                or default_time_zone()}),
        "time_zones": _time_zones(), "days": PREVIEW_DAYS,
    }, status=status)


@desk_view
@require_GET
def setup(request: HttpRequest) -> HttpResponse:
    return _setup_page(request)


@desk_view
@require_POST
def schedule_add(request: HttpRequest) -> HttpResponse:
    organization, abilities = organization_for_request(request)
    if not abilities.can_admin:
        return forbidden_page(request)
    form = ScheduleForm(request.POST)
    schedule, status = form_submit(form, lambda: schedule_create(
        organization=organization, actor=request.user, name=form.cleaned_data["name"],
        time_zone=form.cleaned_data["time_zone"]))
    if status is None:
        messages.success(request, _("Schedule created. Add a rotation to put people on call."))
        return redirect("oncall_desk:schedule", schedule.pk)
    return _setup_page(request, schedule_form=form, status=status)


# --- One schedule: its rotations, overrides and preview ---------------------------------------------------------

def _schedule_page(request: HttpRequest, schedule: Schedule, abilities: Abilities, *,
                   schedule_form: ScheduleForm | None = None, rotation_form: RotationForm | None = None,
                   override_form: OverrideForm | None = None, status: int = 200) -> HttpResponse:
    now = clock.now()
    people = organization_people(schedule.organization)
    rotations = list(schedule.rotations.prefetch_related(
        Prefetch("members", RotationMember.objects.select_related("user"))).order_by("position", "id"))
    overrides = list(schedule.overrides.filter(ends_at__gt=now).select_related("user").order_by("starts_at", "id"))
    preview = schedule_previews(schedules=[schedule], start=now)[schedule.pk]
    reachable = people_reachable(user_ids={m.user_id for r in rotations for m in r.members.all()})
    return desk_render(request, "oncall/schedule.html", {
        "schedule": schedule, "abilities": abilities, "preview": preview, "days": PREVIEW_DAYS,
        "rotations": [{"rotation": r, "members": list(r.members.all()),
                       "warnings": rotation_warnings(rotations=[r], reachable=reachable).get(r.pk, [])}
                      for r in rotations],
        "overrides": overrides, "people": people,
        "schedule_form": schedule_form or ScheduleForm(initial={
            "name": schedule.name, "time_zone": schedule.time_zone, "version": schedule.version}),
        "rotation_form": rotation_form or RotationForm(usernames={}, initial={
            "length_days": 7, "starts_on": now.astimezone(zoneinfo.ZoneInfo(schedule.time_zone)).date()}),
        "override_form": override_form or OverrideForm(zone=schedule.time_zone, people=people),
        "time_zones": _time_zones(),
    }, status=status)


def _usernames(organization: Organization) -> dict[str, int]:
    return dict(Membership.objects.filter(organization=organization).values_list("user__username", "user_id"))


@desk_view
@require_http_methods(["GET", "POST"])
def schedule_view(request: HttpRequest, schedule_id: int) -> HttpResponse:
    """GET shows the schedule; POST renames it or changes its zone."""
    schedule, abilities = _schedule(request, schedule_id)
    if request.method == "GET":
        return _schedule_page(request, schedule, abilities)
    if not abilities.can_admin:
        return forbidden_page(request)
    form = ScheduleForm(request.POST)
    _saved, status = form_submit(form, lambda: schedule_update(
        schedule=schedule, actor=request.user, version=form.version_value(), name=form.cleaned_data["name"],
        time_zone=form.cleaned_data["time_zone"]))
    if status is None:
        messages.success(request, _("Schedule saved."))
        return redirect("oncall_desk:schedule", schedule.pk)
    return _schedule_page(request, schedule, abilities, schedule_form=form, status=status)


@desk_view
@require_POST
def schedule_remove(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule, abilities = _schedule(request, schedule_id)
    if not abilities.can_admin:
        return forbidden_page(request)
    version = posted_version(request)
    try:
        schedule_delete(schedule=schedule, actor=request.user, version=version)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("oncall_desk:schedule", schedule.pk)
    messages.success(request, _("Schedule removed."))
    return redirect(HOME)


def posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0  # matches no row: the service says it changed, never deletes blind


def _rotation_fields(form: RotationForm) -> dict:
    data = form.cleaned_data
    return {"name": data["name"], "starts_on": data["starts_on"], "handoff_time": data["handoff_time"],
            "length_days": data["length_days"], "member_ids": data["members"]}


@desk_view
@require_POST
def rotation_add(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule, abilities = _schedule(request, schedule_id)
    if not abilities.can_admin:
        return forbidden_page(request)
    form = RotationForm(request.POST, usernames=_usernames(schedule.organization))
    _saved, status = form_submit(form, lambda: rotation_create(
        schedule=schedule, actor=request.user, position=form.cleaned_data["position"], **_rotation_fields(form)))
    if status is None:
        messages.success(request, _("Rotation added."))
        return redirect("oncall_desk:schedule", schedule.pk)
    return _schedule_page(request, schedule, abilities, rotation_form=form, status=status)


def _rotation(request: HttpRequest, schedule_id: int, rotation_id: int):
    schedule, abilities = _schedule(request, schedule_id)
    return get_object_or_404(Rotation.objects.select_related("schedule__organization"), pk=rotation_id,
                             schedule=schedule), abilities


@desk_view
@require_http_methods(["GET", "POST"])
def rotation_edit(request: HttpRequest, schedule_id: int, rotation_id: int) -> HttpResponse:
    rotation, abilities = _rotation(request, schedule_id, rotation_id)
    if not abilities.can_admin:
        return forbidden_page(request)
    status = 200
    if request.method == "POST":
        form = RotationForm(request.POST, usernames=_usernames(rotation.schedule.organization))
        _saved, status = form_submit(form, lambda: rotation_update(
            rotation=rotation, actor=request.user, version=form.version_value(),
            position=form.cleaned_data["position"] if form.cleaned_data["position"] is not None
            else rotation.position, **_rotation_fields(form)))
        if status is None:
            messages.success(request, _("Rotation saved."))
            return redirect("oncall_desk:schedule", rotation.schedule_id)
    else:
        members = RotationMember.objects.filter(rotation=rotation).select_related("user").order_by("position", "id")
        form = RotationForm(usernames={}, initial={
            "name": rotation.name, "members": "\n".join(m.user.get_username() for m in members),
            "starts_on": rotation.starts_on, "handoff_time": rotation.handoff_time,
            "length_days": rotation.length_days, "position": rotation.position, "version": rotation.version})
    return desk_render(request, "oncall/rotation_edit.html", {
        "rotation": rotation, "schedule": rotation.schedule, "form": form,
        "people": organization_people(rotation.schedule.organization)}, status=status)


@desk_view
@require_POST
def rotation_remove(request: HttpRequest, schedule_id: int, rotation_id: int) -> HttpResponse:
    rotation, abilities = _rotation(request, schedule_id, rotation_id)
    if not abilities.can_admin:
        return forbidden_page(request)
    return one_button(request, lambda: rotation_delete(rotation=rotation, actor=request.user,
                                                        version=posted_version(request)),
                       _("Rotation removed."), "oncall_desk:schedule", rotation.schedule_id)


def _override_fields(form: OverrideForm) -> dict:
    data = form.cleaned_data
    return {"user_id": data["user"], "starts_at": data["starts_at"], "ends_at": data["ends_at"],
            "reason": data["reason"]}


@desk_view
@require_POST
def override_add(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule, abilities = _schedule(request, schedule_id)
    if not abilities.can_admin:
        return forbidden_page(request)
    form = OverrideForm(request.POST, zone=schedule.time_zone, people=organization_people(schedule.organization))
    _saved, status = form_submit(form, lambda: override_create(schedule=schedule, actor=request.user,
                                                               **_override_fields(form)))
    if status is None:
        messages.success(request, _("Override added."))
        return redirect("oncall_desk:schedule", schedule.pk)
    return _schedule_page(request, schedule, abilities, override_form=form, status=status)


def _override(request: HttpRequest, schedule_id: int, override_id: int):
    schedule, abilities = _schedule(request, schedule_id)
    return get_object_or_404(Override.objects.select_related("schedule__organization", "user"), pk=override_id,
                             schedule=schedule), abilities


@desk_view
@require_http_methods(["GET", "POST"])
def override_edit(request: HttpRequest, schedule_id: int, override_id: int) -> HttpResponse:
    override, abilities = _override(request, schedule_id, override_id)
    if not abilities.can_admin:
        return forbidden_page(request)
    schedule = override.schedule
    people = organization_people(schedule.organization)
    status = 200
    if request.method == "POST":
        form = OverrideForm(request.POST, zone=schedule.time_zone, people=people)
        _saved, status = form_submit(form, lambda: override_update(
            override=override, actor=request.user, version=form.version_value(), **_override_fields(form)))
        if status is None:
            messages.success(request, _("Override saved."))
            return redirect("oncall_desk:schedule", schedule.pk)
    else:
        zone = zoneinfo.ZoneInfo(schedule.time_zone)
        form = OverrideForm(zone=schedule.time_zone, people=people, initial={
            "user": override.user_id, "starts_at": override.starts_at.astimezone(zone).replace(tzinfo=None),
            "ends_at": override.ends_at.astimezone(zone).replace(tzinfo=None), "reason": override.reason,
            "version": override.version})
    return desk_render(request, "oncall/override_edit.html", {"override": override, "schedule": schedule,
                                                             "form": form}, status=status)


@desk_view
@require_POST
def override_remove(request: HttpRequest, schedule_id: int, override_id: int) -> HttpResponse:
    override, abilities = _override(request, schedule_id, override_id)
    if not abilities.can_admin:
        return forbidden_page(request)
    return one_button(request, lambda: override_delete(override=override, actor=request.user,
                                                        version=posted_version(request)),
                       _("Override removed."), "oncall_desk:schedule", override.schedule_id)
