"""Escalation policies in the desk: a name, the severities it is for, and its levels in order.

Admins only (members read them on the setup page); another organization's policy is a 404.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crisis.models import Organization
from crisis.selectors import organizations_for_user
from crisis.web.access import abilities_for, desk_view
from crisis.web.errors import form_submit
from crisis.web.rendering import desk_render

from .forms import LevelFormSet, PolicyForm, level_target_value, level_targets
from .models import EscalationPolicy, Schedule
from .services.policies import escalation_policy_create, escalation_policy_delete, escalation_policy_update
from .views_setup import HOME, forbidden_page, one_button, organization_for_request, organization_people, posted_version

BLANK_LEVELS = 2


def _level_formset(organization: Organization, *, data=None, initial=None) -> LevelFormSet:
    targets = level_targets(people=organization_people(organization),
                            schedules=list(Schedule.objects.filter(organization=organization).order_by("name")))
    initial = list(initial or []) + [{"wait_minutes": 5}] * BLANK_LEVELS
    return LevelFormSet(data, initial=None if data is not None else initial, prefix="levels",
                        form_kwargs={"targets": targets})


def _policy_save(request: HttpRequest, organization: Organization, policy: EscalationPolicy | None) -> HttpResponse:
    form = PolicyForm(request.POST)
    levels = _level_formset(organization, data=request.POST)

    def save():
        fields = {"name": form.cleaned_data["name"], "severities": form.cleaned_data["severities"],
                  "repeat": form.cleaned_data["repeat"],
                  "min_sentiment_level": form.cleaned_data["min_sentiment_level"],
                  "levels": [lv for lv in (f.level() for f in levels.forms) if lv is not None]}
        if policy is None:
            return escalation_policy_create(organization=organization, actor=request.user, **fields)
        return escalation_policy_update(policy=policy, actor=request.user, version=form.version_value(), **fields)

    if not levels.is_valid():
        form.is_valid()
        status = 400
    else:
        _saved, status = form_submit(form, save)
    if status is None:
        messages.success(request, _("Escalation policy saved."))
        return redirect(HOME)
    return desk_render(request, "oncall/policy_edit.html", {"policy": policy, "form": form, "levels": levels},
                       status=status)


@desk_view
@require_http_methods(["GET", "POST"])
def policy_add(request: HttpRequest) -> HttpResponse:
    organization, abilities = organization_for_request(request)
    if not abilities.can_admin:
        return forbidden_page(request)
    if request.method == "POST":
        return _policy_save(request, organization, None)
    return desk_render(request, "oncall/policy_edit.html", {
        "policy": None, "form": PolicyForm(initial={"repeat": 0}), "levels": _level_formset(organization)})


def _policy(request: HttpRequest, policy_id: int):
    policy = get_object_or_404(EscalationPolicy.objects.filter(
        organization__in=organizations_for_user(user=request.user)).select_related("organization"), pk=policy_id)
    return policy, abilities_for(user=request.user, organization=policy.organization)


@desk_view
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy, abilities = _policy(request, policy_id)
    if not abilities.can_admin:
        return forbidden_page(request)
    if request.method == "POST":
        return _policy_save(request, policy.organization, policy)
    initial = [{"target": level_target_value(lv), "wait_minutes": max(1, lv.wait_seconds // 60)}
               for lv in policy.levels.order_by("position", "id")]
    form = PolicyForm(initial={"name": policy.name, "severities": policy.severities, "repeat": policy.repeat,
                               "min_sentiment_level": policy.min_sentiment_level,
                               "version": policy.version})
    return desk_render(request, "oncall/policy_edit.html", {
        "policy": policy, "form": form, "levels": _level_formset(policy.organization, initial=initial)})


@desk_view
@require_POST
def policy_remove(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy, abilities = _policy(request, policy_id)
    if not abilities.can_admin:
        return forbidden_page(request)
    return one_button(request, lambda: escalation_policy_delete(policy=policy, actor=request.user,
                                                                 version=posted_version(request)),
                       _("Escalation policy removed."), HOME)
