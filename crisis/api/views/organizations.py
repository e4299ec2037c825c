from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers, status

from crisis import clock
from crisis.models import Invitation, InvitationStatus, Membership, Organization, Role
from crisis.services import memberships as service
from crisis.services.errors import InvalidInput
from crisis.services.invitations import invitation_send

from ..base import ApiView, get_or_404
from ..fields import IF_MATCH_SCHEMA, StrictCharField, StrictInput, StrictIntegerField, UserRefSerializer
from ..scoping import scoped_memberships, scoped_organizations
from .incidents import if_match_version

MEMBER_IF_MATCH = OpenApiParameter(
    "If-Match", IF_MATCH_SCHEMA, OpenApiParameter.HEADER, required=False,
    description=gettext_lazy("The ETag (membership version) you edited; a newer version on the server gives 409."),
)


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
        fields = ["id", "organization", "user", "role", "version", "created_at"]
        read_only_fields = fields


class InvitationOut(serializers.ModelSerializer):
    """The invitation as the admin typed it: nothing about whether the name has an account."""

    organization = serializers.IntegerField(source="organization_id", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "organization", "username", "email", "role", "status", "created_at", "expires_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=InvitationStatus.choices))
    def get_status(self, invitation: Invitation) -> str:
        return invitation.current_status(clock.now())


def membership_etag(membership: Membership) -> dict[str, str]:
    return {"ETag": f'"{membership.version}"'}


class InviteByUsername(StrictInput):
    username = StrictCharField(max_length=150,
                               help_text=gettext_lazy("The account to invite; give this or email, not both."))
    role = serializers.ChoiceField(choices=Role.choices)


class InviteByEmail(StrictInput):
    email = StrictCharField(max_length=254, help_text=gettext_lazy("The address to invite; give this or username."))
    role = serializers.ChoiceField(choices=Role.choices)


# "A username or an email, exactly one": said in the schema as a oneOf of the two shapes, so a tool knows the
# rule; the service states it again for whatever reaches it.
MEMBER_INVITE = PolymorphicProxySerializer(component_name="MemberInvite", resource_type_field_name=None,
                                           serializers=[InviteByUsername, InviteByEmail])


class MemberListView(ApiView):
    queryset = Membership.objects.none()
    ordering = ("id",)

    class InputSerializer(StrictInput):
        username = StrictCharField(max_length=150, required=False)
        email = StrictCharField(max_length=254, required=False)
        role = serializers.ChoiceField(choices=Role.choices)

    @extend_schema(operation_id="members_list", responses=MembershipOut(many=True))
    def get(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        return self.list_response(scoped_memberships(request.user).filter(organization=organization), MembershipOut)

    @extend_schema(
        operation_id="members_create", request=MEMBER_INVITE, responses={202: InvitationOut},
        description=gettext_lazy(
            "Invite a person to the organization (admins only). They are mailed a link to accept, if an "
            "account has this username or address; the answer is the same either way. A person who is "
            "already a member gets 409: change their role on the membership instead."),
    )
    def post(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitation_send(organization=organization, actor=request.user, **data.validated_data)
        return self.respond(InvitationOut(invitation).data, status_code=status.HTTP_202_ACCEPTED)


class MemberDetailView(ApiView):
    class InputSerializer(StrictInput):
        version = StrictIntegerField(required=False, min_value=1,
                                     help_text=gettext_lazy("The version you edited."))
        role = serializers.ChoiceField(choices=Role.choices)

    @extend_schema(operation_id="members_retrieve", responses=MembershipOut)
    def get(self, request, membership_id: int):
        membership = get_or_404(scoped_memberships(request.user), pk=membership_id)
        return self.respond(MembershipOut(membership).data, headers=membership_etag(membership))

    @extend_schema(operation_id="members_partial_update", request=InputSerializer, responses=MembershipOut,
                   parameters=[MEMBER_IF_MATCH])
    def patch(self, request, membership_id: int):
        membership = get_or_404(scoped_memberships(request.user), pk=membership_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body_version, header_version = data.validated_data.get("version"), if_match_version(request)
        expected = header_version if header_version is not None else body_version
        if expected is None:
            # Without it, two admins fixing roles at once silently overwrite each other.
            raise InvalidInput(_("Send the version you edited (the version field or an If-Match header)."),
                               field="version")
        membership = service.membership_role_change(membership=membership, actor=request.user,
                                                    role=data.validated_data["role"], expected_version=expected)
        return self.respond(MembershipOut(membership).data, headers=membership_etag(membership))

    @extend_schema(operation_id="members_destroy", request=None, responses={204: None},
                   parameters=[MEMBER_IF_MATCH])
    def delete(self, request, membership_id: int):
        membership = get_or_404(scoped_memberships(request.user), pk=membership_id)
        service.membership_remove(membership=membership, actor=request.user,
                                  expected_version=if_match_version(request))
        return self.respond(None, status_code=status.HTTP_204_NO_CONTENT)
