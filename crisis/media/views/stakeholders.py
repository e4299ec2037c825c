"""The organization's stakeholder list: read it, add and edit people, import a spreadsheet."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisis.services.errors import DomainError
from crisis.web.access import abilities_for, current_organization, desk_view
from crisis.web.errors import HTTP_STATUS, form_submit
from crisis.web.rendering import desk_render

from ..forms import StakeholderForm, StakeholderUploadForm
from ..models import Stakeholder
from ..selectors import stakeholder_tags, stakeholders_of
from ..services.stakeholder_import import stakeholders_import
from ..services.stakeholders import stakeholder_create, stakeholder_update
from ..stakeholder_csv import HEADERS

SHOWN_MAX = 500


def _organization(request: HttpRequest):
    organization = current_organization(request)
    if organization is None:
        raise Http404
    return organization, abilities_for(user=request.user, organization=organization)


def _page(request: HttpRequest, *, status: int = 200, **forms) -> HttpResponse:
    organization, abilities = _organization(request)
    tag = request.GET.get("tag", "")
    rows = list(stakeholders_of(organization, tag=tag))
    return desk_render(request, "crisis_media/stakeholders.html", {
        "organization": organization, "abilities": abilities, "tag": tag, "tags": stakeholder_tags(organization),
        "stakeholders": rows[:SHOWN_MAX], "stakeholders_total": len(rows), "headers": HEADERS,
        "form": forms.get("form") or StakeholderForm(),
        "upload_form": forms.get("upload_form") or StakeholderUploadForm(),
        "upload_errors": forms.get("upload_errors"),
    }, status=status)


@desk_view
def stakeholders(request: HttpRequest) -> HttpResponse:
    return _page(request)


@desk_view
@require_POST
def stakeholder_new(request: HttpRequest) -> HttpResponse:
    organization, abilities = _organization(request)
    if not abilities.can_respond:
        return _page(request, status=403)
    form = StakeholderForm(request.POST)
    _created, status = form_submit(form, lambda: stakeholder_create(
        organization=organization, actor=request.user, **form.fields_for_service()))
    if status is not None:
        return _page(request, status=status, form=form)
    return redirect("crisis_media:stakeholders")


@desk_view
@require_POST
def stakeholder_upload(request: HttpRequest) -> HttpResponse:
    organization, abilities = _organization(request)
    if not abilities.can_respond:
        return _page(request, status=403)
    form = StakeholderUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, status=400, upload_form=form)
    try:
        result = stakeholders_import(organization=organization, actor=request.user, text=form.cleaned_data["text"])
    except DomainError as error:
        return _page(request, status=HTTP_STATUS.get(error.code, 400),
                     upload_errors=sorted(error.fields.items(), key=_line_order))
    messages.success(request, _("Imported: %(c)d added, %(u)d updated, %(s)d unchanged.")
                     % {"c": result.created, "u": result.updated, "s": result.unchanged})
    return redirect("crisis_media:stakeholders")


def _line_order(item: tuple[str, list[str]]) -> tuple[int, str]:
    key = item[0]
    if key.startswith("line_"):
        number = key[5:].split(".", 1)[0]
        return (int(number) if number.isdigit() else 0, key)
    return (0, key)


@desk_view
def stakeholder_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization, abilities = _organization(request)
    stakeholder = get_object_or_404(Stakeholder, pk=pk, organization=organization)
    initial = {**{name: getattr(stakeholder, name) for name in StakeholderForm.base_fields if name != "tags"},
               "tags": ", ".join(stakeholder.tags)}
    form = StakeholderForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not abilities.can_respond:
            status = 403
        else:
            _saved, status = form_submit(form, lambda: stakeholder_update(
                stakeholder=stakeholder, actor=request.user, expected_version=form.cleaned_data["version"] or 0,
                **form.fields_for_service()))
            if status is None:
                return redirect("crisis_media:stakeholders")
    return desk_render(request, "crisis_media/stakeholder_edit.html", {
        "organization": organization, "abilities": abilities, "stakeholder": stakeholder, "form": form,
    }, status=status)
