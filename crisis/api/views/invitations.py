"""Invitations: how a person joins an organization (crisis.services.invitations says why it works this way)."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status

from crisis.models import Invitation, Role
from crisis.services import invitations as service
from crisis.services.access import membership_require

from ..base import ApiView, get_or_404
from ..fields import StrictCharField, StrictInput
from ..scoping import scoped_invitations, scoped_organizations
from .organizations import InvitationOut, MembershipOut, membership_etag


class OrganizationInvitationListView(ApiView):
    queryset = Invitation.objects.none()
    ordering = ("-id",)

    @extend_schema(operation_id="invitations_list", responses=InvitationOut(many=True),
                   description=gettext_lazy("The organization's invitations, newest first (admins only)."))
    def get(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        # The names and addresses an admin typed are the admins' business, not every viewer's.
        membership_require(user=request.user, organization=organization, role=Role.ADMIN)
        return self.list_response(scoped_invitations(request.user).filter(organization=organization), InvitationOut)


class InvitationDetailView(ApiView):
    @extend_schema(operation_id="invitations_revoke", request=None, responses={204: None},
                   description=gettext_lazy("Withdraw a pending invitation: its link stops working (admins only)."))
    def delete(self, request, invitation_id: int):
        invitation = get_or_404(scoped_invitations(request.user), pk=invitation_id)
        service.invitation_revoke(invitation=invitation, actor=request.user)
        return self.respond(None, status_code=status.HTTP_204_NO_CONTENT)


class InvitationAcceptView(ApiView):
    class InputSerializer(StrictInput):
        token = StrictCharField(max_length=500, help_text=gettext_lazy(
            "The token from the invitation link (the last part of its path)."))

    @extend_schema(operation_id="invitations_accept", request=InputSerializer, responses={201: MembershipOut},
                   description=gettext_lazy("Accept an invitation sent to the calling account; "
                                            "creates the membership."))
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = service.invitation_from_token(data.validated_data["token"])
        membership = service.invitation_accept(invitation=invitation, user=request.user)
        return self.respond(MembershipOut(membership).data, status_code=status.HTTP_201_CREATED,
                            headers=membership_etag(membership))
