from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from crisis.selectors import sentiment_series
from crisis.services.errors import DomainError
from crisis.services.sentiment import sentiment_checkpoint_record, sentiment_checkpoints_ingest

from ..access import desk_view, incident_for_request
from ..csv_import import KNOWN_COLUMNS, csv_preview
from ..errors import form_add_domain_error, form_submit
from ..forms import SentimentForm, SentimentUploadForm
from ..rendering import desk_render
from ..room import requested_measure, room_chart, room_statements
from ..sentiment_export import sentiment_csv_write


@desk_view
def chart_partial(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    chart = room_chart(incident=incident, statements=room_statements(incident=incident),
                       measure=requested_measure(request))
    return render(request, "crisis/partials/sentiment_chart.html",
                  {"incident": incident, "abilities": abilities, "chart": chart})


def _page(request, incident, abilities, *, status=200, form=None, upload_form=None, preview=None):
    return desk_render(request, "crisis/sentiment_entry.html", {
        "incident": incident, "organization": incident.organization, "abilities": abilities,
        "form": form or SentimentForm(zone=incident.time_zone), "upload_form": upload_form or SentimentUploadForm(),
        "preview": preview, "columns": KNOWN_COLUMNS,
    }, status=status)


@desk_view
def sentiment_entry(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    if request.method != "POST":
        return _page(request, incident, abilities)
    form = SentimentForm(request.POST, zone=incident.time_zone)
    _saved, status = form_submit(form, lambda: sentiment_checkpoint_record(
        incident=incident, actor=request.user, **form.measures()))
    if status is None:
        return redirect("crisis:incident-room", pk=incident.pk)
    return _page(request, incident, abilities, status=status, form=form)


@require_POST
@desk_view
def sentiment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """First post: a preview with each row's problems. Second post (confirm): record all rows or none."""
    incident, abilities = incident_for_request(request, pk)
    if not abilities.can_respond:
        # Before the file is read at all: parsing is work a viewer, who may not record, has no reason to cause.
        return _page(request, incident, abilities, status=403)
    form = SentimentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, incident, abilities, status=400, upload_form=form)
    text = form.cleaned_data["text"]
    preview = csv_preview(text, zone=incident.time_zone, first_public_signal_at=incident.first_public_signal_at)
    # The confirm step posts the same text back, so what is recorded is exactly what was previewed.
    confirm_form = SentimentUploadForm(initial={"text": text, "confirm": True})
    if not preview.is_valid or not form.cleaned_data["confirm"]:
        return _page(request, incident, abilities, status=200 if preview.is_valid else 400,
                     upload_form=confirm_form, preview=preview)
    try:
        sentiment_checkpoints_ingest(incident=incident, actor=request.user, points=preview.points)
    except DomainError as error:
        status = form_add_domain_error(form, error)
        return _page(request, incident, abilities, status=status, upload_form=form, preview=preview)
    return redirect("crisis:incident-room", pk=incident.pk)


@require_GET
@desk_view
def sentiment_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The checkpoints as they stand after corrections, in the upload's columns."""
    incident, _abilities = incident_for_request(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="incident-{incident.pk}-sentiment.csv"'
    sentiment_csv_write(response, checkpoints=sentiment_series(incident=incident), zone=incident.time_zone)
    return response
