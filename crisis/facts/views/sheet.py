"""Adding, editing and retiring facts from the desk."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from crisis.selectors import incidents_for_user
from crisis.web.access import abilities_for, desk_view, incident_for_request
from crisis.web.errors import form_submit
from crisis.web.rendering import desk_render

from ..forms import FactEditForm, FactForm, FactRetireForm
from ..models import Fact
from ..selectors import fact_versions
from ..services.facts import fact_add, fact_edit, fact_retire


def _room(incident_id: int) -> HttpResponse:
    response = redirect("crisis:incident-room", pk=incident_id)
    response["Location"] += "#room-facts"
    return response


@desk_view
def fact_new(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    if not abilities.can_respond:
        return desk_render(request, "crisis/forbidden.html", {"incident": incident}, status=403)
    form = FactForm(request.POST or None, zone=incident.time_zone)
    status = 200
    if request.method == "POST":
        _fact, status = form_submit(form, lambda: fact_add(
            incident=incident, actor=request.user, text=form.cleaned_data["text"],
            established_at=form.cleaned_data["established_at"]))
        if status is None:
            return _room(incident.pk)
    return desk_render(request, "facts/fact_new.html", {
        "incident": incident, "organization": incident.organization, "abilities": abilities, "form": form,
    }, status=status)


def _fact_for_request(request: HttpRequest, pk: int) -> Fact:
    return get_object_or_404(Fact.objects.select_related("incident__organization"), pk=pk,
                             incident__in=incidents_for_user(user=request.user))


def _fact_page(request: HttpRequest, fact: Fact, *, status: int = 200, edit_form=None, retire_form=None):
    incident = fact.incident
    zone = incident.time_zone
    return desk_render(request, "facts/fact_edit.html", {
        "incident": incident, "organization": incident.organization, "fact": fact,
        "abilities": abilities_for(user=request.user, organization=incident.organization),
        "versions": list(fact_versions(fact=fact)),
        "edit_form": edit_form or FactEditForm(zone=zone, initial={
            "text": fact.text, "expected_version": fact.version}),
        "retire_form": retire_form or FactRetireForm(initial={"expected_version": fact.version}),
    }, status=status)


@desk_view
def fact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _fact_page(request, _fact_for_request(request, pk))


@require_POST
@desk_view
def fact_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    fact = _fact_for_request(request, pk)
    form = FactEditForm(request.POST, zone=fact.incident.time_zone)
    _saved, status = form_submit(form, lambda: fact_edit(
        fact=fact, actor=request.user, expected_version=form.cleaned_data["expected_version"],
        text=form.cleaned_data["text"], established_at=form.cleaned_data["established_at"]))
    if status is None:
        return _room(fact.incident_id)
    return _fact_page(request, fact, status=status, edit_form=form)


@require_POST
@desk_view
def fact_retire_view(request: HttpRequest, pk: int) -> HttpResponse:
    fact = _fact_for_request(request, pk)
    form = FactRetireForm(request.POST)
    _saved, status = form_submit(form, lambda: fact_retire(
        fact=fact, actor=request.user, expected_version=form.cleaned_data["expected_version"],
        reason=form.cleaned_data["reason"]))
    if status is None:
        return _room(fact.incident_id)
    return _fact_page(request, fact, status=status, retire_form=form)
