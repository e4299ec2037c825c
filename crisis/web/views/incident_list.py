"""Every incident of the organization, newest first: searched, filtered and paged."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse

from crisis.models import Incident

from ..access import abilities_for, current_organization, desk_view
from ..filters import IncidentFilter
from ..rendering import desk_render

PAGE_SIZE = 25


@desk_view
def incident_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    if organization is None:
        return desk_render(request, "crisis/incident_list.html", {"organization": None, "page": None})
    # Any member may read the list; another organization's incidents are never in the queryset.
    abilities = abilities_for(user=request.user, organization=organization)
    incidents = (Incident.objects.filter(organization=organization).select_related("commander")
                 .order_by("-first_public_signal_at", "-id"))
    filterset = IncidentFilter(request.GET or None, queryset=incidents, zone=organization.time_zone)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return desk_render(request, "crisis/incident_list.html", {
        "organization": organization, "abilities": abilities, "filter": filterset, "page": page,
        "query": query.urlencode(), "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
    })
