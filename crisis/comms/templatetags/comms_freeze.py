from django import template

from ..selectors import freeze_state

register = template.Library()


@register.inclusion_tag("comms/partials/freeze_banner.html")
def comms_freeze_banner(organization) -> dict:
    """The dashboard's freeze banner (the room has its own panel): two queries, one when nothing is listed."""
    if organization is None:
        return {"freeze": None}
    return {"freeze": freeze_state(organization_id=organization.pk, for_banner=True)}
