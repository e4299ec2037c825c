"""What every API view shares: the audit origin, idempotent POSTs and object lookup scoped to the caller."""

import contextlib

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.metadata import SimpleMetadata
from rest_framework.response import Response

from crisis.services.errors import NotFound
from crisis.services.origin import Origin, origin_set

from .authentication import client_ip
from .idempotency import Replay, idempotency_claim, idempotency_store, wants_idempotency
from .models import ApiToken
from .parsers import raw_body
from .schema import ApiAutoSchema


def request_via(request) -> str:
    if isinstance(request.auth, ApiToken):
        return f"token:{request.auth.pk}"
    if request.user and request.user.is_authenticated:
        return "session"
    return "anonymous"


class ApiMetadata(SimpleMetadata):
    """OPTIONS answers with the allowed methods (in the Allow header) and a name; the schema documents the rest."""

    def determine_metadata(self, request, view):
        return {"name": view.get_view_name(), "description": view.get_view_description()}


class ApiView(GenericAPIView):
    """Base for /api/v1/ views. Subclasses call services; they never save domain rows themselves.

    GenericAPIView only for its filtering and pagination hooks: each view says its input and
    output serializers itself, nested inside it.
    """

    ordering: tuple[str, ...] = ("-id",)
    schema = ApiAutoSchema()
    metadata_class = ApiMetadata

    def respond(self, data, *, status_code: int = status.HTTP_200_OK, headers=None) -> Response:
        return Response(data, status=status_code, headers=headers)

    def list_response(self, queryset, serializer_class) -> Response:
        page = self.paginate_queryset(self.filter_queryset(queryset))
        context = {**self.get_serializer_context(), **self.page_context(page)}
        serializer = serializer_class(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    def page_context(self, page: list) -> dict:
        """What the output needs about a whole page, read once for it (not once per row)."""
        return {}

    def is_schema_generation(self) -> bool:
        return getattr(self, "swagger_fake_view", False)

    def dispatch(self, request, *args, **kwargs):
        self._scope = contextlib.ExitStack()
        self._idempotency_record = None
        if wants_idempotency(request):
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        if wants_idempotency(request):
            # The key's digest covers the bytes as sent. Read them before authentication: the session's CSRF
            # check parses the body, and Django keeps no copy of a stream once it is parsed (RawPostDataException).
            raw_body(request)
        super().initial(request, *args, **kwargs)
        # Authentication has run: from here on every audit row the services write names the door used.
        self._scope.enter_context(origin_set(self.request_origin(request)))
        if wants_idempotency(request) and request.user.is_authenticated:
            self._idempotency_record = idempotency_claim(request)

    def request_origin(self, request) -> Origin:
        return Origin(via=request_via(request), ip_address=client_ip(request))

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        try:
            if self._idempotency_record is not None and hasattr(response, "data"):
                idempotency_store(self._idempotency_record, response)
        finally:
            self._scope.close()
        return super().finalize_response(request, response, *args, **kwargs)


def get_or_404(queryset, **lookup):
    """Another organization's object and a missing one look the same: both are 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound(_("Not found.")) from exc
