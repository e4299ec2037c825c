"""The page an invitation link opens: the signed-in invitee sees the organization and role, and accepts."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from crisis.models import Role
from crisis.services.errors import DomainError
from crisis.services.invitations import invitation_accept, invitation_check, invitation_from_token

from ..access import SESSION_ORGANIZATION, desk_view
from ..errors import HTTP_STATUS
from ..rendering import desk_render


@desk_view
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = None
    try:
        invitation = invitation_from_token(token)
        if request.method == "POST":
            membership = invitation_accept(invitation=invitation, user=request.user)
            request.session[SESSION_ORGANIZATION] = membership.organization_id
            return redirect("crisis:home")
        invitation_check(invitation=invitation, user=request.user)
    except DomainError as error:
        # Only the reason: who invited whom where is shown to the invitee alone (see invitation_check).
        return desk_render(request, "crisis/invitation.html", {"problem": error.message},
                           status=HTTP_STATUS.get(error.code, 400))
    return desk_render(request, "crisis/invitation.html", {
        "invitation": invitation, "invited_to": invitation.organization, "role": Role(invitation.role).label,
    })
