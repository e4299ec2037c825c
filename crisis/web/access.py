"""How a page finds what the signed-in person may see, and what they may do there."""

import functools
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from crisis.models import Incident, Organization, Role, role_at_least
from crisis.selectors import incidents_for_user, organizations_for_user
from crisis.services.access import membership_role
from crisis.services.origin import Origin, origin_set

SESSION_ORGANIZATION = "golden_hours_organization_id"


@dataclass(frozen=True)
class Abilities:
    """What the templates may offer: a control is only shown to someone the service would let through."""

    role: str

    def at_least(self, minimum: str) -> bool:
        return role_at_least(self.role, minimum)

    @property
    def can_respond(self) -> bool:
        return self.at_least(Role.RESPONDER)

    @property
    def can_approve(self) -> bool:
        return self.at_least(Role.APPROVER)

    @property
    def can_command(self) -> bool:
        return self.at_least(Role.COMMANDER)

    @property
    def can_admin(self) -> bool:
        return self.at_least(Role.ADMIN)


def abilities_for(*, user, organization: Organization) -> Abilities:
    role = membership_role(user=user, organization=organization)
    if role is None:
        raise Http404
    return Abilities(role=role)


def incident_for_request(request: HttpRequest, pk: int) -> tuple[Incident, Abilities]:
    """Another organization's incident is a 404, never a 403: its existence is not ours to confirm."""
    incident = get_object_or_404(incidents_for_user(user=request.user), pk=pk)
    return incident, abilities_for(user=request.user, organization=incident.organization)


def current_organization(request: HttpRequest) -> Organization | None:
    """The organization chosen in the switcher, or the first one the person belongs to."""
    organizations = organizations_for_user(user=request.user)
    chosen = request.session.get(SESSION_ORGANIZATION)
    organization = organizations.filter(pk=chosen).first() if chosen else None
    return organization or organizations.order_by("name", "pk").first()


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def desk_view(view):
    """Signed-in only, and every service call inside is audited as coming through a browser session."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        with origin_set(Origin(via="session", ip_address=client_ip(request))):
            return view(request, *args, **kwargs)

    return wrapper
