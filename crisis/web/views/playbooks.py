from django.http import HttpRequest, HttpResponse

from crisis.models import Playbook

from ..access import abilities_for, current_organization, desk_view
from ..rendering import desk_render


@desk_view
def playbook_list(request: HttpRequest) -> HttpResponse:
    """Read-only for now: the editor comes with the playbook-versioning work."""
    organization = current_organization(request)
    playbooks = []
    abilities = None
    if organization is not None:
        abilities = abilities_for(user=request.user, organization=organization)
        playbooks = list(Playbook.objects.filter(organization=organization).prefetch_related("steps")
                         .order_by("key", "-version"))
    return desk_render(request, "crisis/playbooks.html",
                       {"organization": organization, "abilities": abilities, "playbooks": playbooks})
