"""``Idempotency-Key`` on POST: a retried request gets the first response, and nothing is created twice.

The claim row, the service's writes and the stored response share one transaction. A concurrent
duplicate therefore waits on the unique index (PostgreSQL) or the write lock (SQLite) until the
first commits, then finds the finished record and replays it; if the first fails with a 5xx,
everything including the claim rolls back and the retry runs afresh.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from .errors import ApiConflict, IdempotencyKeyReused
from .models import IdempotencyRecord
from .parsers import raw_body

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 255
REPLAY_HEADER = "Idempotent-Replayed"


class Replay(Exception):
    def __init__(self, response: Response):
        super().__init__("replay")
        self.response = response


def wants_idempotency(request) -> bool:
    return request.method == "POST" and HEADER in request.META


def request_digest(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    digest.update(raw_body(request))
    return digest.hexdigest()


def idempotency_claim(request) -> IdempotencyRecord:
    """Claim the key for this request, or raise Replay with the first response."""
    key = request.META[HEADER].strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiConflict(_("An Idempotency-Key must be 1 to %(n)d characters.") % {"n": MAX_KEY_LENGTH},
                          code="invalid_idempotency_key")
    digest = request_digest(request)
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user=request.user, key=key, request_digest=digest)
    except IntegrityError:
        pass
    first = IdempotencyRecord.objects.get(user=request.user, key=key)
    if first.request_digest != digest:
        raise IdempotencyKeyReused()
    if first.status_code is None:
        raise ApiConflict(_("A request with this Idempotency-Key is still being processed."),
                          code="idempotency_in_progress")
    response = Response(first.response_body, status=first.status_code)
    response[REPLAY_HEADER] = "true"
    raise Replay(response)


def idempotency_store(record: IdempotencyRecord, response) -> None:
    if response.status_code >= status.HTTP_500_INTERNAL_SERVER_ERROR or response.status_code == 429:
        # Not an answer to the request; roll the claim back so that a retry runs afresh.
        transaction.set_rollback(True)
        return
    body = json.loads(json.dumps(response.data, default=str)) if response.data is not None else None
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=response.status_code, response_body=body)
