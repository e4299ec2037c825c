from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from crisis import clock
from crisis.selectors import organizations_for_user

from ..access import SESSION_ORGANIZATION, abilities_for, current_organization, desk_view
from ..dashboard import dashboard_rows
from ..rendering import desk_render


@desk_view
def home(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    context = {"organization": organization, "rows": [], "abilities": None, "server_now": clock.now(),
               "partial_template": "crisis/partials/dashboard_table.html"}
    if organization is not None:
        context["abilities"] = abilities_for(user=request.user, organization=organization)
        context["rows"] = dashboard_rows(organization=organization)
    return desk_render(request, "crisis/home.html", context)


@require_POST
@desk_view
def organization_switch(request: HttpRequest) -> HttpResponse:
    chosen = organizations_for_user(user=request.user).filter(pk=request.POST.get("organization")).first()
    if chosen is not None:
        request.session[SESSION_ORGANIZATION] = chosen.pk
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "crisis:home"
    return redirect(target)
