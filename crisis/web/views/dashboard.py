from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisis import clock
from crisis.durations import duration_units
from crisis.models import Statement
from crisis.selectors import incidents_for_user, organizations_for_user
from crisis.services.errors import DomainError
from crisis.services.statements import statement_approve

from ..access import SESSION_ORGANIZATION, abilities_for, current_organization, desk_view
from ..dashboard import approval_queue, dashboard_rows
from ..rendering import desk_render


@desk_view
def home(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    context = {"organization": organization, "rows": [], "abilities": None, "approval_rows": None,
               "server_now": clock.now(), "partial_template": "crisis/partials/dashboard_table.html",
               # desk.js counts down "in 26 min 10 s" with the units in the reader's language.
               "duration_units": duration_units()}
    if organization is not None:
        abilities = context["abilities"] = abilities_for(user=request.user, organization=organization)
        context["rows"] = dashboard_rows(organization=organization)
        # The poll refreshes the incidents table only; the queue is read when the page is.
        if abilities.can_approve and not request.headers.get("HX-Request"):
            context["approval_rows"] = approval_queue(user=request.user, organization=organization)
    return desk_render(request, "crisis/home.html", context)


@require_POST
@desk_view
def approval_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a statement from the dashboard's queue; a refusal is said there, and nothing else changes."""
    statement = get_object_or_404(Statement.objects.select_related("incident__organization", "current_version"),
                                  pk=pk, incident__in=incidents_for_user(user=request.user))
    try:
        statement_approve(statement=statement, actor=request.user, note=request.POST.get("note", "")[:2000])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Approved: %(statement)s.") % {"statement": statement})
    return redirect("crisis:home")


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
