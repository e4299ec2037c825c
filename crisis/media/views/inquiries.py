"""Logging an inquiry from the room, answering or closing it on its own page, and briefing stakeholders."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from crisis import clock
from crisis.durations import duration_units
from crisis.selectors import incidents_for_user
from crisis.services.owned_deadlines import owned_deadline_for
from crisis.web.access import abilities_for, desk_view, incident_for_request
from crisis.web.errors import form_submit
from crisis.web.rendering import desk_render

from ..forms import BriefForm, InquiryAnswerForm, InquiryCloseForm, InquiryForm
from ..models import Inquiry
from ..room import stakeholder_choices
from ..selectors import stakeholder_tags
from ..services.briefings import stakeholders_brief
from ..services.inquiries import RECORD_TYPE, inquiry_answer, inquiry_close, inquiry_log


def _incident_form_page(request: HttpRequest, pk: int, *, form_class, form_kwargs, save, template: str,
                        name: str) -> HttpResponse:
    """A responder's form about an incident: shown on GET, saved on POST (then back to the room), shown again with
    the service's reasons beside its fields when refused."""
    incident, abilities = incident_for_request(request, pk)
    if not abilities.can_respond:
        return desk_render(request, "crisis/forbidden.html", {"incident": incident}, status=403)
    form = form_class(request.POST or None, incident=incident, **form_kwargs(incident))
    status = 200
    if request.method == "POST":
        _saved, status = form_submit(form, lambda: save(incident, form.cleaned_data))
        if status is None:
            return redirect("crisis:incident-room", pk=incident.pk)
    return desk_render(request, template, {
        "incident": incident, "organization": incident.organization, "abilities": abilities, name: form,
    }, status=status)


@desk_view
def inquiry_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The full form (a stakeholder from the list, another owner); the room's short form posts here too."""
    return _incident_form_page(
        request, pk, form_class=InquiryForm, template="crisis_media/inquiry_new.html", name="inquiry_form",
        form_kwargs=lambda incident: {"stakeholder_choices": stakeholder_choices(incident.organization)},
        save=lambda incident, data: inquiry_log(incident=incident, actor=request.user,
                                                **InquiryForm.log_fields(data)))


@desk_view
def brief(request: HttpRequest, pk: int) -> HttpResponse:
    return _incident_form_page(
        request, pk, form_class=BriefForm, template="crisis_media/brief.html", name="brief_form",
        form_kwargs=lambda incident: {"tags": stakeholder_tags(incident.organization)},
        save=lambda incident, data: stakeholders_brief(incident=incident, actor=request.user,
                                                       statement_id=data["statement"], tags=data["tags"],
                                                       briefed_at=data["briefed_at"]))


@desk_view
def inquiry_detail(request: HttpRequest, pk: int, action: str = "") -> HttpResponse:
    inquiry = get_object_or_404(Inquiry.objects.select_related("incident__organization", "owner", "statement",
                                                               "stakeholder"),
                                pk=pk, incident__in=incidents_for_user(user=request.user))
    incident = inquiry.incident
    abilities = abilities_for(user=request.user, organization=incident.organization)
    initial = {"version": inquiry.version}
    answer_form = InquiryAnswerForm(initial=initial, incident=incident)
    close_form = InquiryCloseForm(initial=initial)
    status = 200
    if request.method == "POST":
        if not abilities.can_respond:
            status = 403
        elif action == "answer":
            answer_form = InquiryAnswerForm(request.POST, incident=incident)
            _done, status = form_submit(answer_form, lambda: inquiry_answer(
                inquiry=inquiry, actor=request.user, expected_version=answer_form.cleaned_data["version"],
                answer=answer_form.cleaned_data["answer"], answered_at=answer_form.cleaned_data["answered_at"],
                statement_id=answer_form.cleaned_data["statement"]))
        elif action == "close":
            close_form = InquiryCloseForm(request.POST)
            _done, status = form_submit(close_form, lambda: inquiry_close(
                inquiry=inquiry, actor=request.user, expected_version=close_form.cleaned_data["version"],
                reason=close_form.cleaned_data["reason"]))
        else:
            status = 404
        if status is None:
            return redirect("crisis_media:inquiry-detail", pk=inquiry.pk)
    return desk_render(request, "crisis_media/inquiry_detail.html", {
        "incident": incident, "organization": incident.organization, "abilities": abilities, "inquiry": inquiry,
        "deadline": owned_deadline_for(record_type=RECORD_TYPE, record_id=inquiry.pk, incident=incident),
        "answer_form": answer_form, "close_form": close_form,
        "server_now": clock.now(), "duration_units": duration_units(),
    }, status=status)
