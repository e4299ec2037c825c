from django.db.models import F
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from crisis.models import Membership, Organization

from ..base import ApiView, get_or_404
from ..fields import UserRefSerializer
from ..scoping import scoped_memberships, scoped_organizations


class OrganizationOut(serializers.ModelSerializer):
    my_role = serializers.CharField(read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "time_zone", "my_role", "created_at"]
        read_only_fields = fields


def _organizations(user):
    # Filtering and annotating through the same relation reuses one join: the caller's own membership.
    return scoped_organizations(user).annotate(my_role=F("memberships__role"))


class OrganizationListView(ApiView):
    queryset = Organization.objects.none()
    ordering = ("name", "id")

    @extend_schema(operation_id="organizations_list", responses=OrganizationOut(many=True))
    def get(self, request):
        return self.list_response(_organizations(request.user), OrganizationOut)


class OrganizationDetailView(ApiView):
    @extend_schema(operation_id="organizations_retrieve", responses=OrganizationOut)
    def get(self, request, organization_id: int):
        organization = get_or_404(_organizations(request.user), pk=organization_id)
        return self.respond(OrganizationOut(organization).data)


class MembershipOut(serializers.ModelSerializer):
    user = UserRefSerializer(read_only=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organization", "user", "role", "created_at"]
        read_only_fields = fields


class MemberListView(ApiView):
    queryset = Membership.objects.none()
    ordering = ("id",)

    @extend_schema(operation_id="members_list", responses=MembershipOut(many=True))
    def get(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        return self.list_response(scoped_memberships(request.user).filter(organization=organization), MembershipOut)
