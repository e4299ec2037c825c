"""API tokens in the desk: each person sees, makes and revokes their own; organization admins also see (and may
revoke) the tokens of their organization's members.

A new token's secret is shown once, in the response to the POST that made it, and is never stored in clear:
the page is not cacheable and a reload does not show it again.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from crisis.api.models import ApiToken
from crisis.api.tokens import api_token_create, api_token_revoke
from crisis.models import Membership, Role
from crisis.services.errors import DomainError
from crisis.web.access import abilities_for, current_organization, desk_view
from crisis.web.errors import form_submit
from crisis.web.rendering import desk_render

from .forms import TokenForm

HERE = "oncall_desk:tokens"


def _organization_and_admin(request: HttpRequest):
    organization = current_organization(request)
    is_admin = organization is not None and abilities_for(user=request.user, organization=organization).can_admin
    return organization, is_admin


def _page(request: HttpRequest, *, form: TokenForm | None = None, new_secret: str = "", new_token=None,
          status: int = 200) -> HttpResponse:
    organization, is_admin = _organization_and_admin(request)
    mine = list(ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id"))
    theirs, roles = [], {}
    if is_admin:
        roles = dict(Membership.objects.filter(organization=organization).values_list("user_id", "role"))
        theirs = list(ApiToken.objects.filter(user__memberships__organization=organization)
                      .exclude(user=request.user).select_related("user").order_by("-created_at", "-id"))
        for token in theirs:
            token.role_label = Role(roles[token.user_id]).label if token.user_id in roles else ""
    my_role = None
    if organization is not None:
        my_role = Role(abilities_for(user=request.user, organization=organization).role).label
    return desk_render(request, "oncall/tokens.html", {
        "mine": mine, "theirs": theirs, "my_role": my_role, "is_admin": is_admin,
        "form": form or TokenForm(), "new_secret": new_secret, "new_token": new_token,
    }, status=status)


@never_cache
@desk_view
@require_GET
def tokens(request: HttpRequest) -> HttpResponse:
    return _page(request)


@never_cache
@desk_view
@require_POST
def token_add(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    made, status = form_submit(form, lambda: api_token_create(user=request.user, name=form.cleaned_data["name"],
                                                               scopes=form.cleaned_data["scopes"]))
    if status is not None:
        return _page(request, form=form, status=status)
    token, secret = made
    # Rendered, not redirected: a redirect would have to carry the secret somewhere (the session) to show it.
    return _page(request, new_secret=secret, new_token=token)


@desk_view
@require_POST
def token_remove(request: HttpRequest, token_id: int) -> HttpResponse:
    """Your own token, or (as an admin) one of your organization's members': anything else is a 404."""
    organization, is_admin = _organization_and_admin(request)
    allowed = Q(user=request.user)
    if is_admin:
        allowed |= Q(user__memberships__organization=organization)
    token = get_object_or_404(ApiToken.objects.filter(allowed).distinct(), pk=token_id)
    try:
        api_token_revoke(token=token, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Token revoked: it no longer works."))
    return redirect(HERE)
