"""The admin's page for approval chains: who signs each kind of statement, in which order, how fast."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from crisis.models import Membership, Role, StatementKind, role_at_least
from crisis.services.errors import DomainError
from crisis.web.access import abilities_for, current_organization, desk_view
from crisis.web.errors import form_add_domain_error
from crisis.web.rendering import desk_render

from .forms import STEP_ROWS, ChainStepForm, ChainVersionForm
from .models import ApprovalChain
from .services.chains import MAX_STEPS, approval_chain_set


def _approvers(organization) -> list[tuple[int, str]]:
    members = Membership.objects.filter(organization=organization).select_related("user").order_by("user__username")
    return [(m.user_id, m.user.get_full_name() or m.user.get_username()) for m in members
            if role_at_least(m.role, Role.APPROVER)]


def _organization_for(request: HttpRequest):
    organization = current_organization(request)
    if organization is None:
        raise Http404
    return organization, abilities_for(user=request.user, organization=organization)


@desk_view
def chain_list(request: HttpRequest) -> HttpResponse:
    organization, abilities = _organization_for(request)
    chains = {chain.kind: chain for chain in ApprovalChain.objects.filter(organization=organization)}
    names = dict(_approvers(organization))
    rows = []
    for kind in StatementKind:
        chain = chains.get(kind)
        steps = [{**step, "approver_names": [names.get(pk, "?") for pk in step["approvers"]],
                  "deputy_names": [names.get(pk, "?") for pk in step["deputies"]]}
                 for step in (chain.steps if chain else [])]
        rows.append({"kind": kind, "steps": steps})
    return desk_render(request, "crisis/approval_chains.html", {
        "organization": organization, "abilities": abilities, "rows": rows})


@desk_view
def chain_edit(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in StatementKind.values:
        raise Http404
    organization, abilities = _organization_for(request)
    if not abilities.can_admin:
        return desk_render(request, "crisis/forbidden.html", {"organization": organization}, status=403)
    chain = ApprovalChain.objects.filter(organization=organization, kind=kind).first()
    people = _approvers(organization)
    saved = chain.steps if chain else []
    rows = max(STEP_ROWS, min(len(saved) + 1, MAX_STEPS))
    if request.method == "POST":
        version_form = ChainVersionForm(request.POST)
        forms = [ChainStepForm(request.POST, prefix=f"s{n}", people=people) for n in range(rows)]
        status = _save(request, organization, kind, version_form, forms)
        if status is None:
            messages.success(request, _("Approval chain saved: %(kind)s.") % {"kind": StatementKind(kind).label})
            return redirect("approvals:chains")
    else:
        status = 200
        version_form = ChainVersionForm(initial={"version": chain.version if chain else 0})
        forms = [ChainStepForm(prefix=f"s{n}", people=people, initial=_initial(saved, n)) for n in range(rows)]
    return desk_render(request, "crisis/approval_chain_edit.html", {
        "organization": organization, "abilities": abilities, "kind": StatementKind(kind),
        "version_form": version_form, "step_forms": forms, "has_people": bool(people)}, status=status)


def _initial(saved: list[dict], n: int) -> dict:
    return saved[n] if n < len(saved) else {}


def _save(request, organization, kind, version_form, forms) -> int | None:
    """None when saved; otherwise the status to show the form again with, the reasons beside their rows."""
    if not version_form.is_valid() or not all(form.is_valid() for form in forms):
        return 400
    filled = [form for form in forms if not form.is_blank]
    try:
        approval_chain_set(organization=organization, actor=request.user, kind=kind,
                           steps=[form.as_step() for form in filled],
                           expected_version=version_form.cleaned_data["version"])
    except DomainError as error:
        return _place(error, version_form, filled)
    return None


def _place(error: DomainError, version_form, filled) -> int:
    """The service names fields "steps.<n>.<field>" by the steps it was given: the nth filled row."""
    status = 400
    for name, reasons in error.fields.items():
        parts = name.split(".")
        if len(parts) >= 2 and parts[0] == "steps" and parts[1].isdigit() and int(parts[1]) < len(filled):
            form, field = filled[int(parts[1])], parts[2] if len(parts) > 2 else None
            one = type(error)(error.message, fields={field or "__all__": reasons})
            status = form_add_domain_error(form, one, field_map={"__all__": None})
        else:
            status = form_add_domain_error(version_form, type(error)(error.message, fields={name: reasons}))
    if not error.fields:
        status = form_add_domain_error(version_form, error)
    return status
