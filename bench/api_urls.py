"""The API plus a bare Django view that inserts the same timeline row: the baseline bench/api.py compares with.

The bare view exists only here, never in the product: no authentication, no validation, no audit.
"""

import json

from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from crisis import clock
from crisis.models import TimelineEvent


@csrf_exempt
def bare_event_create(request, incident_id: int):
    data = json.loads(request.body)
    now = clock.now()
    event = TimelineEvent.objects.create(incident_id=incident_id, kind=data.get("kind", "note"), body=data["body"],
                                         occurred_at=now, recorded_at=now, metadata={})
    return JsonResponse({"id": event.pk}, status=201)


urlpatterns = [
    path("bare/incidents/<int:incident_id>/events/", bare_event_create),
    path("api/v1/", include("crisis.api.urls")),
]
