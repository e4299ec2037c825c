"""Pages for post-mortems, action items and analytics. Reads for every member; writes go through services.

Membership and the page chrome come from the desk (``crisis.web.access``): another organization's
incident is a 404, and a viewer sees the page without the controls (the services refuse them anyway).
"""

from csp.constants import NONE, UNSAFE_INLINE
from csp.decorators import csp
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisis.csv_export import SafeCsvWriter
from crisis.services.errors import ConcurrentUpdate, DomainError, NotFound
from crisis.web.access import abilities_for, current_organization, desk_view, incident_for_request
from crisis.web.rendering import desk_render

from . import analytics as analytics_module
from .assembly import report_assemble
from .forms import ActionItemForm, ActionItemStatusForm, PostMortemForm, ReportFormat, ReportRequestForm
from .models import ActionItem, ActionItemStatus, PostMortem, ReportFile, ReportStatus
from .renderers import CONTENT_TYPES, document_context
from .services import action_item_create, action_item_update, postmortem_update, report_request

# A stored report opened in the browser runs no script and loads nothing; its own inline styles may apply.
REPORT_FILE_CSP = {"default-src": [NONE], "style-src": [UNSAFE_INLINE], "img-src": ["data:"], "base-uri": [NONE],
                   "form-action": [NONE], "frame-ancestors": [NONE]}


def _status_for(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    return 409 if isinstance(error, ConcurrentUpdate) else 400 if error.code == "invalid" else 403


def _latest_files(incident) -> list[dict]:
    rows = {}
    for report in ReportFile.objects.filter(incident=incident).order_by("format", "-number"):
        entry = rows.setdefault(report.format, {"format": report.format, "label": report.get_format_display(),
                                                "latest": None, "ready": None})
        entry["latest"] = entry["latest"] or report
        if report.status == ReportStatus.DONE and entry["ready"] is None:
            entry["ready"] = report
    return [rows.get(f, {"format": f, "label": label, "latest": None, "ready": None})
            for f, label in ReportFormat.choices]


def _page(request: HttpRequest, incident, abilities, *, status: int = 200, **forms) -> HttpResponse:
    report = report_assemble(incident=incident)
    postmortem = PostMortem.objects.filter(incident=incident).first()
    context = {
        **document_context(report),
        "incident": incident,
        "organization": incident.organization,
        "abilities": abilities,
        "files": _latest_files(incident),
        "items": list(ActionItem.objects.filter(incident=incident).select_related("owner").order_by("due_on", "id")),
        "status_choices": ActionItemStatus.choices,
        "postmortem_form": forms.get("postmortem_form") or PostMortemForm(initial={
            **{f: getattr(postmortem, f, "") for f in PostMortem.SECTIONS},
            "version": postmortem.version if postmortem else 0}),
        "item_form": forms.get("item_form") or ActionItemForm(organization=incident.organization),
        "request_form": ReportRequestForm(),
    }
    return desk_render(request, "reports/report_page.html", context, status=status)


@desk_view
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    return _page(request, incident, abilities)


@require_POST
@desk_view
def postmortem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    form = PostMortemForm(request.POST)
    if not form.is_valid():
        return _page(request, incident, abilities, status=400, postmortem_form=form)
    data = form.cleaned_data
    try:
        postmortem_update(incident=incident, actor=request.user, expected_version=data["version"],
                          **{f: data[f] for f in PostMortem.SECTIONS})
    except DomainError as error:
        form.add_error(None, error.message)
        return _page(request, incident, abilities, status=_status_for(error), postmortem_form=form)
    messages.success(request, _("Post-mortem saved."))
    return redirect("reports:report", pk=incident.pk)


@require_POST
@desk_view
def action_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    form = ActionItemForm(request.POST, organization=incident.organization)
    if not form.is_valid():
        return _page(request, incident, abilities, status=400, item_form=form)
    try:
        action_item_create(incident=incident, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        form.add_error(None, error.message)
        return _page(request, incident, abilities, status=_status_for(error), item_form=form)
    messages.success(request, _("Action item added."))
    return redirect(reverse("reports:report", kwargs={"pk": incident.pk}) + "#review")


@require_POST
@desk_view
def action_item_status(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(ActionItem.objects.select_related("incident__organization"), pk=item_pk)
    abilities_for(user=request.user, organization=item.incident.organization)
    form = ActionItemStatusForm(request.POST)
    target = request.POST.get("next") or reverse("reports:report", kwargs={"pk": item.incident_id})
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("reports:report", kwargs={"pk": item.incident_id})
    if not form.is_valid():
        messages.error(request, _("Choose a status and a valid date."))
        return redirect(target)
    changes = {"status": form.cleaned_data["status"]}
    if "due_on" in request.POST:
        changes["due_on"] = form.cleaned_data["due_on"]
    try:
        action_item_update(item=item, actor=request.user, expected_version=form.cleaned_data["version"], **changes)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise Http404 from error
        messages.error(request, error.message)
        return desk_render(request, "reports/action_item_conflict.html",
                           {"message": error.message, "target": target}, status=_status_for(error))
    messages.success(request, _("Action item updated."))
    return redirect(target)


@require_POST
@desk_view
def report_generate_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        return _page(request, incident, abilities, status=400)
    try:
        report_request(incident=incident, actor=request.user, format=form.cleaned_data["format"],
                       language=get_language() or "en")
    except DomainError as error:
        messages.error(request, error.message)
        return _page(request, incident, abilities, status=_status_for(error))
    messages.success(request, _("The report is being generated; this page shows its progress."))
    return redirect(reverse("reports:report", kwargs={"pk": incident.pk}) + "#downloads")


@desk_view
def report_file_status(request: HttpRequest, pk: int, file_pk: int) -> JsonResponse:
    incident, _abilities = incident_for_request(request, pk)
    report = get_object_or_404(ReportFile, pk=file_pk, incident=incident)
    return JsonResponse({"id": report.pk, "format": report.format, "number": report.number,
                         "status": report.status, "progress": report.progress,
                         "download": reverse("reports:download", kwargs={"pk": incident.pk, "fmt": report.format})
                         if report.status == ReportStatus.DONE else None})


# The stored HTML report is a document of its own (its CSS inline, for the PDF renderer too): it may style itself and
# show its embedded images, and run nothing at all.
@csp(REPORT_FILE_CSP)
@desk_view
def report_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    incident, _abilities = incident_for_request(request, pk)
    report = (ReportFile.objects.filter(incident=incident, format=fmt, status=ReportStatus.DONE)
              .order_by("-number").first())
    if report is None or not report.file:
        raise Http404
    filename = f"postmortem-incident-{incident.pk}-v{report.number}.{fmt}"
    response = FileResponse(report.file.open("rb"), content_type=CONTENT_TYPES[fmt],
                            as_attachment=fmt != "html", filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@desk_view
def action_item_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    if organization is None:
        raise Http404
    abilities = abilities_for(user=request.user, organization=organization)
    status = request.GET.get("status", "")
    items = ActionItem.objects.filter(incident__organization=organization).select_related("incident", "owner")
    if status in ActionItemStatus.values:
        items = items.filter(status=status)
    elif status != "all":
        status = ""
        items = items.filter(status__in=[ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS])
    return desk_render(request, "reports/action_items.html", {
        "organization": organization, "abilities": abilities, "items": list(items.order_by("due_on", "id")[:500]),
        "status": status, "status_choices": ActionItemStatus.choices})


@desk_view
def analytics_page(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    if organization is None:
        raise Http404
    abilities = abilities_for(user=request.user, organization=organization)
    data = analytics_module.organization_analytics(organization=organization)
    return desk_render(request, "reports/analytics.html", {
        "organization": organization, "abilities": abilities, "analytics": data,
        "charts": analytics_module.analytics_charts(data)})


@desk_view
def analytics_csv(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    if organization is None:
        raise Http404
    abilities_for(user=request.user, organization=organization)
    table = request.GET.get("table", "incidents")
    if table not in analytics_module.CSV_TABLES:
        raise Http404
    data = analytics_module.organization_analytics(organization=organization)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="golden-hours-{organization.slug}-{table}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the Chinese titles as UTF-8
    SafeCsvWriter(response).writerows(analytics_module.CSV_TABLES[table](data))
    return response
