from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated

from ..base import ApiView, get_or_404
from ..fields import StrictCharField, StrictInput
from ..models import ApiToken, TokenScope
from ..permissions import SessionOnly
from ..tokens import api_token_create, api_token_revoke


class ApiTokenOut(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scopes", "created_at", "last_used_at", "last_used_ip", "revoked_at"]
        read_only_fields = fields


class ApiTokenCreatedOut(ApiTokenOut):
    token = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The token itself. It is shown only this once: store it now.")
    )

    class Meta(ApiTokenOut.Meta):
        fields = [*ApiTokenOut.Meta.fields, "token"]
        read_only_fields = fields


class TokenListCreateView(ApiView):
    """Your own personal API tokens; managed from a signed-in session only."""

    permission_classes = [IsAuthenticated, SessionOnly]
    queryset = ApiToken.objects.none()

    class InputSerializer(StrictInput):
        name = StrictCharField(max_length=100)
        scopes = serializers.ListField(
            child=serializers.ChoiceField(choices=TokenScope.choices), min_length=1, max_length=2,
            default=[TokenScope.READ, TokenScope.WRITE],
        )

    @extend_schema(operation_id="tokens_list", responses=ApiTokenOut(many=True))
    def get(self, request):
        return self.list_response(ApiToken.objects.filter(user=request.user), ApiTokenOut)

    @extend_schema(operation_id="tokens_create", request=InputSerializer, responses={201: ApiTokenCreatedOut})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, raw = api_token_create(user=request.user, **data.validated_data)
        token.token = raw
        return self.respond(ApiTokenCreatedOut(token).data, status_code=status.HTTP_201_CREATED)


class TokenRevokeView(ApiView):
    permission_classes = [IsAuthenticated, SessionOnly]

    @extend_schema(operation_id="tokens_revoke", request=None, responses={204: None})
    def delete(self, request, token_id: int):
        token = get_or_404(ApiToken.objects.filter(user=request.user), pk=token_id)
        api_token_revoke(token=token, actor=request.user)
        return self.respond(None, status_code=status.HTTP_204_NO_CONTENT)
