"""The API plus two baselines bench/api.py compares it with; both exist only here, never in the product.

* bare: a Django view that inserts the same timeline row (no authentication, no validation, no audit);
* same statements: a Django view that sends the database exactly what logging an event through the API
  sends (find the token, find the incident with the caller's role, then in one transaction insert the
  event and its audit row), written as plain SQL with no framework around it. It is the ceiling for any
  implementation of the API's rules on this machine, so API / same statements is the framework's cost.
"""

import json

from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from crisis import clock
from crisis.api.authentication import client_ip
from crisis.api.models import token_digest
from crisis.models import Role, TimelineEvent, role_at_least

TOKEN_SQL = (
    "SELECT t.id, t.scopes, u.id, u.is_active FROM crisis_api_apitoken t JOIN auth_user u ON u.id = t.user_id"
    " WHERE t.digest = %s AND t.revoked_at IS NULL"
)
INCIDENT_SQL = (
    "SELECT i.id, i.organization_id, m.role FROM crisis_incident i"
    " JOIN crisis_membership m ON m.organization_id = i.organization_id AND m.user_id = %s WHERE i.id = %s"
)
EVENT_SQL = (
    "INSERT INTO crisis_timelineevent (incident_id, kind, occurred_at, recorded_at, actor_id, body, source_url,"
    " is_pinned, metadata) VALUES (%s, %s, %s, %s, %s, %s, '', false, '{}') RETURNING id"
)
AUDIT_SQL = (
    "INSERT INTO crisis_auditentry (organization_id, actor_id, action, object_type, object_id, changes, via,"
    " ip_address, created_at) VALUES (%s, %s, 'timeline_event.log', 'crisis.timelineevent', %s, %s, %s, %s, %s)"
)


@csrf_exempt
def bare_event_create(request, incident_id: int):
    data = json.loads(request.body)
    now = clock.now()
    event = TimelineEvent.objects.create(incident_id=incident_id, kind=data.get("kind", "note"), body=data["body"],
                                         occurred_at=now, recorded_at=now, metadata={})
    return JsonResponse({"id": event.pk}, status=201)


@csrf_exempt
def same_statements_event_create(request, incident_id: int):
    raw = request.headers.get("Authorization", "").removeprefix("Bearer ")
    data = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(TOKEN_SQL, [token_digest(raw)])
        token = cursor.fetchone()
        if token is None or not token[3] or "write" not in json.loads(token[1]):
            return JsonResponse({"error": "token"}, status=401)
        token_id, user_id = token[0], token[2]
        cursor.execute(INCIDENT_SQL, [user_id, incident_id])
        incident = cursor.fetchone()
        if incident is None or not role_at_least(incident[2], Role.RESPONDER):
            return JsonResponse({"error": "incident"}, status=404)
        now = clock.now()
        with transaction.atomic():
            cursor.execute(EVENT_SQL, [incident[0], data["kind"], now, now, user_id, data["body"].strip()])
            event_id = cursor.fetchone()[0]
            cursor.execute(AUDIT_SQL, [incident[1], user_id, str(event_id), json.dumps({"kind": data["kind"]}),
                                       f"token:{token_id}", client_ip(request), now])
    return JsonResponse({"id": event_id}, status=201)


urlpatterns = [
    path("bare/incidents/<int:incident_id>/events/", bare_event_create),
    path("same-statements/incidents/<int:incident_id>/events/", same_statements_event_create),
    path("api/v1/", include("crisis.api.urls")),
]
