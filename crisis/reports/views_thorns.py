"""The room's "Past thorns" panel writes one thing: a link between this incident and another (or its removal)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisis.models import Incident
from crisis.services.errors import DomainError
from crisis.web.access import desk_view, incident_for_request

from .forms import IncidentLinkForm
from .links import incident_link, incident_unlink


@require_POST
@desk_view
def incident_link_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident, _abilities = incident_for_request(request, pk)
    form = IncidentLinkForm(request.POST)
    back = redirect("crisis:incident-room", pk=incident.pk)
    if not form.is_valid():
        messages.error(request, _("Give the number of an incident of this organization."))
        return back
    # The service refuses an incident of another organization (or none) with the same words as a missing one.
    other = Incident.objects.filter(pk=form.cleaned_data["related_incident"],
                                    organization_id=incident.organization_id).first()
    change = incident_unlink if form.cleaned_data["unlink"] else incident_link
    try:
        changed = change(incident=incident, other=other, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return back
    if changed:
        messages.success(request, _("Link removed.") if form.cleaned_data["unlink"] else _("Incidents linked."))
    return back
