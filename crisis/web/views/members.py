"""An organization admin's page for its people: who is a member with which role, pending invitations, invite."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crisis import clock
from crisis.models import Invitation, InvitationStatus, Membership, Organization, Role
from crisis.services.errors import DomainError
from crisis.services.invitations import invitation_revoke, invitation_send
from crisis.services.memberships import membership_role_change

from ..access import Abilities, abilities_for, current_organization, desk_view
from ..errors import form_submit
from ..rendering import desk_render


class InviteForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), required=False, max_length=150)
    email = forms.CharField(label=gettext_lazy("or email address"), required=False, max_length=254)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.RESPONDER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


def _admin_organization(request: HttpRequest) -> tuple[Organization | None, Abilities | None]:
    organization = current_organization(request)
    if organization is None:
        return None, None
    return organization, abilities_for(user=request.user, organization=organization)


def _forbidden(request: HttpRequest, organization: Organization | None) -> HttpResponse:
    return desk_render(request, "crisis/forbidden.html", {"organization": organization}, status=403)


def _page(request: HttpRequest, organization: Organization, abilities: Abilities, *, invite_form: InviteForm,
          status: int = 200) -> HttpResponse:
    memberships = list(organization.memberships.select_related("user").order_by("user__username", "pk"))
    for membership in memberships:
        membership.role_form = RoleForm(initial={"role": membership.role, "version": membership.version},
                                        prefix=f"m{membership.pk}")
    pending = (Invitation.objects.filter(organization=organization, status=InvitationStatus.SENT,
                                         expires_at__gt=clock.now())
               .select_related("invited_by").order_by("-created_at", "-pk"))
    return desk_render(request, "crisis/members.html", {
        "organization": organization, "abilities": abilities, "memberships": memberships,
        "invitations": list(pending), "invite_form": invite_form,
    }, status=status)


@desk_view
def members(request: HttpRequest) -> HttpResponse:
    organization, abilities = _admin_organization(request)
    if organization is None or not abilities.can_admin:
        return _forbidden(request, organization)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        invitation, status = form_submit(form, lambda: invitation_send(
            organization=organization, actor=request.user, role=form.cleaned_data["role"],
            username=form.cleaned_data["username"], email=form.cleaned_data["email"]))
        if status is None:
            messages.success(request, _("Invitation sent to %(who)s.") % {
                "who": invitation.username or invitation.email})
            return redirect("crisis:members")
        return _page(request, organization, abilities, invite_form=form, status=status)
    return _page(request, organization, abilities, invite_form=form)


@require_POST
@desk_view
def member_invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    organization, abilities = _admin_organization(request)
    if organization is None or not abilities.can_admin:
        return _forbidden(request, organization)
    invitation = get_object_or_404(Invitation, pk=pk, organization=organization)
    try:
        invitation_revoke(invitation=invitation, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Invitation to %(who)s revoked.") % {
            "who": invitation.username or invitation.email})
    return redirect("crisis:members")


@require_POST
@desk_view
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    organization, abilities = _admin_organization(request)
    if organization is None or not abilities.can_admin:
        return _forbidden(request, organization)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organization=organization)
    form = RoleForm(request.POST, prefix=f"m{membership.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("crisis:members")
    try:
        membership_role_change(membership=membership, actor=request.user, role=form.cleaned_data["role"],
                               expected_version=form.cleaned_data["version"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(who)s is now %(role)s.") % {
            "who": membership.user.get_full_name() or membership.user.get_username(),
            "role": Role(form.cleaned_data["role"]).label})
    return redirect("crisis:members")
