from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crisis.selectors import organizations_for_user

from .access import current_organization


def desk_render(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    """Render a full page: the header's organization switcher needs the person's organizations."""
    if request.headers.get("HX-Request") and "partial_template" in context:
        return render(request, context["partial_template"], context, status=status)
    context.setdefault("organization", current_organization(request))
    context["organizations"] = list(organizations_for_user(user=request.user).order_by("name"))
    return render(request, template, context, status=status)
