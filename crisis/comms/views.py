from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from crisis.models import StatementKind
from crisis.web.access import abilities_for, current_organization, desk_view, incident_for_request
from crisis.web.errors import form_submit
from crisis.web.forms import StatementForm
from crisis.web.rendering import desk_render
from crisis.web.views.statements import statement_composer_render, statement_new

from .forms import (
    FreezeEntryForm,
    FreezeRemoveForm,
    FreezeThresholdForm,
    OffScriptPostForm,
    StatementTemplateForm,
)
from .selectors import freeze_state, statement_templates
from .services.freeze import comms_freeze_set
from .services.off_script import off_script_post_log
from .services.templates import (
    statement_template_create,
    statement_template_delete,
    statement_template_fill,
    statement_template_update,
)


def _admin_organization(request: HttpRequest):
    organization = current_organization(request)
    if organization is None:
        raise Http404
    return organization, abilities_for(user=request.user, organization=organization)


def _entries(state) -> list[dict]:
    return [{"channel": e.channel, "account": e.account, "note": e.note} for e in state.entries]


@desk_view
def freeze_list(request: HttpRequest) -> HttpResponse:
    """Everyone sees what is frozen and when; admins change it."""
    organization, abilities = _admin_organization(request)
    state = freeze_state(organization_id=organization.pk)
    forms = {"threshold": FreezeThresholdForm(initial={"severity_threshold": state.threshold,
                                                       "version": state.version}),
             "add": FreezeEntryForm(initial={"version": state.version})}
    status = 200
    if request.method == "POST":
        if not abilities.can_admin:
            return desk_render(request, "crisis/forbidden.html", {}, status=403)
        action = request.POST.get("action")
        threshold, entries = state.threshold, _entries(state)
        if action == "threshold":
            form = forms["threshold"] = FreezeThresholdForm(request.POST)
        elif action == "add":
            form = forms["add"] = FreezeEntryForm(request.POST)
        elif action == "remove":
            form = forms["remove"] = FreezeRemoveForm(request.POST)
        else:
            raise Http404

        def save():
            data = form.cleaned_data
            new_threshold, new_entries = threshold, list(entries)
            if action == "threshold":
                new_threshold = data["severity_threshold"]
            elif action == "add":
                new_entries.append({"channel": data["channel"], "account": data["account"], "note": data["note"]})
            elif 0 <= data["entry"] < len(new_entries):
                new_entries.pop(data["entry"])
            return comms_freeze_set(organization=organization, actor=request.user, severity_threshold=new_threshold,
                                    entries=new_entries, expected_version=data["version"])

        _saved, status = form_submit(form, save)
        if status is None:
            return redirect("comms:freeze")
    return desk_render(request, "comms/freeze.html", {
        "organization": organization, "abilities": abilities, "state": state, "forms": forms,
        "remove_error": forms.get("remove"),
    }, status=status)


@desk_view
def off_script_new(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    if not abilities.can_respond:
        return desk_render(request, "crisis/forbidden.html", {"incident": incident}, status=403)
    form = OffScriptPostForm(request.POST or None, zone=incident.time_zone)
    status = 200
    if request.method == "POST":
        _statement, status = form_submit(form, lambda: off_script_post_log(
            incident=incident, actor=request.user, **form.cleaned_data))
        if status is None:
            return redirect("crisis:incident-room", pk=incident.pk)
    return desk_render(request, "comms/off_script_new.html", {
        "incident": incident, "organization": incident.organization, "abilities": abilities, "form": form,
    }, status=status)


@desk_view
def statement_from_template(request: HttpRequest, pk: int, template_pk: int) -> HttpResponse:
    """The composer, filled from a template for this incident; saving it is saving any draft."""
    if request.method == "POST":
        return statement_new(request, pk)
    incident, abilities = incident_for_request(request, pk)
    if not abilities.can_respond:
        return desk_render(request, "crisis/forbidden.html", {"incident": incident}, status=403)
    template = get_object_or_404(statement_templates(organization=incident.organization), pk=template_pk)
    filled = statement_template_fill(template=template, incident=incident)
    form = StatementForm(initial={"kind": filled["kind"], "language": filled["language"],
                                  "title": filled["title"], "body": filled["body"]})
    return statement_composer_render(request, incident=incident, abilities=abilities, form=form)


@desk_view
def template_list(request: HttpRequest) -> HttpResponse:
    organization, abilities = _admin_organization(request)
    form = StatementTemplateForm(request.POST or None, initial={"kind": StatementKind.HOLDING})
    status = 200
    if request.method == "POST":
        if not abilities.can_admin:
            return desk_render(request, "crisis/forbidden.html", {}, status=403)
        _template, status = form_submit(form, lambda: statement_template_create(
            organization=organization, actor=request.user,
            **{k: v for k, v in form.cleaned_data.items() if k != "version"}))
        if status is None:
            return redirect("comms:templates")
    return desk_render(request, "comms/templates.html", {
        "organization": organization, "abilities": abilities, "form": form,
        "templates": statement_templates(organization=organization),
    }, status=status)


@desk_view
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization, abilities = _admin_organization(request)
    template = get_object_or_404(statement_templates(organization=organization), pk=pk)
    if not abilities.can_admin:
        return desk_render(request, "crisis/forbidden.html", {}, status=403)
    form = StatementTemplateForm(request.POST or None, initial={
        "kind": template.kind, "language": template.language, "incident_type": template.incident_type,
        "title": template.title, "body": template.body, "version": template.version})
    form.fields["kind"].disabled = form.fields["language"].disabled = True
    status = 200
    if request.method == "POST":
        _saved, status = form_submit(form, lambda: statement_template_update(
            template=template, actor=request.user, body=form.cleaned_data["body"], title=form.cleaned_data["title"],
            incident_type=form.cleaned_data["incident_type"], expected_version=form.cleaned_data["version"]))
        if status is None:
            return redirect("comms:templates")
    return desk_render(request, "comms/template_edit.html", {
        "organization": organization, "abilities": abilities, "form": form, "template": template,
    }, status=status)


@require_POST
@desk_view
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    organization, abilities = _admin_organization(request)
    template = get_object_or_404(statement_templates(organization=organization), pk=pk)
    if not abilities.can_admin:
        return desk_render(request, "crisis/forbidden.html", {}, status=403)
    statement_template_delete(template=template, actor=request.user)
    return redirect("comms:templates")
