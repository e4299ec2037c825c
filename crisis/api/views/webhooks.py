"""Signed inbound webhook for social-listening tools, and the admin endpoints for its secrets.

A tool signs ``"{timestamp}.{raw body}"`` with HMAC-SHA256 and sends
``X-Golden-Hours-Timestamp: <unix seconds>`` and ``X-Golden-Hours-Signature: sha256=<hex>``.
Requests outside the replay window, or whose signature was already accepted, are refused.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny

from crisis import clock
from crisis.models import Incident, Organization, Role
from crisis.services import sentiment as service
from crisis.services.access import membership_require
from crisis.services.origin import Origin

from ..authentication import client_ip
from ..base import ApiView, get_or_404
from ..fields import StrictCharField, StrictInput, StrictIntegerField
from ..models import WebhookReceipt, WebhookSecret
from ..parsers import raw_body
from ..scoping import scoped_organizations
from ..throttling import WebhookRateThrottle
from ..tokens import webhook_secret_create, webhook_secret_revoke
from .sentiment import BULK_MAX, BULK_OUT, CheckpointInput

REPLAY_WINDOW = timedelta(minutes=5)
TIMESTAMP_HEADER = "X-Golden-Hours-Timestamp"
SIGNATURE_HEADER = "X-Golden-Hours-Signature"


class SignatureInvalid(exceptions.APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "signature_invalid"
    default_detail = gettext_lazy("The webhook signature is missing, wrong or outside the replay window.")


class SignatureReplayed(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "replayed"
    default_detail = gettext_lazy("This signed request was already received.")


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def webhook_verify(*, organization_slug: str, timestamp: str | None, signature: str | None, body: bytes):
    """The active secret that signed this body, or SignatureInvalid. Unknown slugs fail the same way."""
    if not timestamp or not signature or not signature.startswith("sha256="):
        raise SignatureInvalid()
    try:
        moment = datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise SignatureInvalid() from exc
    if abs(clock.now() - moment) > REPLAY_WINDOW:
        raise SignatureInvalid()
    given = signature.removeprefix("sha256=")
    secrets = WebhookSecret.objects.filter(
        organization__slug=organization_slug, revoked_at__isnull=True
    ).select_related("organization")
    for secret in secrets:
        if hmac.compare_digest(webhook_signature(secret.secret, timestamp, body), given):
            return secret, given
    raise SignatureInvalid()


class SentimentWebhookView(ApiView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [WebhookRateThrottle]

    class InputSerializer(StrictInput):
        incident = StrictIntegerField()
        points = serializers.ListField(child=CheckpointInput(), min_length=1, max_length=BULK_MAX)

    def request_origin(self, request) -> Origin:
        return Origin(via="webhook", ip_address=client_ip(request))

    @extend_schema(
        operation_id="webhook_sentiment_ingest",
        request=InputSerializer,
        responses={201: BULK_OUT},
        auth=[],
        parameters=[
            OpenApiParameter(TIMESTAMP_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True),
            OpenApiParameter(SIGNATURE_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
                             description=gettext_lazy('"sha256=" and the hex HMAC-SHA256 of "{timestamp}.{body}".')),
        ],
    )
    def post(self, request, organization_slug: str):
        secret, signature = webhook_verify(
            organization_slug=organization_slug, timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER), body=raw_body(request),
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = get_or_404(Incident.objects.select_related("organization"),
                              pk=data.validated_data["incident"], organization=secret.organization)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    WebhookReceipt.objects.create(secret=secret, signature=signature)
            except IntegrityError as exc:
                raise SignatureReplayed() from exc
            # The tool acts for the organization, not for a person: the services treat None as the system.
            checkpoints = service.sentiment_checkpoints_ingest(
                incident=incident, actor=None, points=[dict(p) for p in data.validated_data["points"]]
            )
        return self.respond({"count": len(checkpoints), "ids": [c.pk for c in checkpoints]},
                            status_code=status.HTTP_201_CREATED)


class WebhookSecretOut(serializers.ModelSerializer):
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    secret_hint = serializers.SerializerMethodField()

    class Meta:
        model = WebhookSecret
        fields = ["id", "organization", "name", "secret_hint", "created_at", "revoked_at"]
        read_only_fields = fields

    def get_secret_hint(self, secret) -> str:
        return secret.secret[:10] + "…"


class WebhookSecretCreatedOut(WebhookSecretOut):
    class Meta(WebhookSecretOut.Meta):
        fields = [*WebhookSecretOut.Meta.fields, "secret", "url"]
        read_only_fields = fields

    url = serializers.SerializerMethodField()

    def get_url(self, secret) -> str:
        request = self.context.get("request")
        path = f"/api/v1/hooks/{secret.organization.slug}/sentiment/"
        return request.build_absolute_uri(path) if request else path


def _admin_organization(request, organization_id: int) -> Organization:
    organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
    membership_require(user=request.user, organization=organization, role=Role.ADMIN)
    return organization


class WebhookSecretListCreateView(ApiView):
    queryset = WebhookSecret.objects.none()

    class InputSerializer(StrictInput):
        name = StrictCharField(max_length=100)

    @extend_schema(operation_id="webhook_secrets_list", responses=WebhookSecretOut(many=True))
    def get(self, request, organization_id: int):
        organization = _admin_organization(request, organization_id)
        return self.list_response(WebhookSecret.objects.filter(organization=organization), WebhookSecretOut)

    @extend_schema(operation_id="webhook_secrets_create", request=InputSerializer,
                   responses={201: WebhookSecretCreatedOut})
    def post(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        secret = webhook_secret_create(organization=organization, actor=request.user, name=data.validated_data["name"])
        return self.respond(WebhookSecretCreatedOut(secret, context={"request": request}).data,
                            status_code=status.HTTP_201_CREATED)


class WebhookSecretRevokeView(ApiView):
    @extend_schema(operation_id="webhook_secrets_revoke", request=None, responses={204: None})
    def delete(self, request, secret_id: int):
        secret = get_or_404(
            WebhookSecret.objects.filter(organization__in=scoped_organizations(request.user)).select_related(
                "organization"
            ),
            pk=secret_id,
        )
        webhook_secret_revoke(secret=secret, actor=request.user)
        return self.respond(None, status_code=status.HTTP_204_NO_CONTENT)


