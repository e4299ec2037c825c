from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from crisis.models import Playbook
from crisis.services.errors import DomainError
from crisis.services.playbooks import playbook_revise, playbook_steps_as_data

from ..access import abilities_for, current_organization, desk_view
from ..errors import HTTP_STATUS
from ..playbook_forms import PlaybookStepFormSet, step_initial
from ..rendering import desk_render


@desk_view
def playbook_list(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    playbooks = []
    abilities = None
    if organization is not None:
        abilities = abilities_for(user=request.user, organization=organization)
        playbooks = list(Playbook.objects.filter(organization=organization).prefetch_related("steps")
                         .order_by("key", "-version"))
    return desk_render(request, "crisis/playbooks.html",
                       {"organization": organization, "abilities": abilities, "playbooks": playbooks})


@desk_view
def playbook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Admins edit the active version; saving writes the next version (incidents keep theirs)."""
    organization = current_organization(request)
    if organization is None:
        raise Http404
    playbook = get_object_or_404(Playbook, pk=pk, organization=organization)
    abilities = abilities_for(user=request.user, organization=organization)
    if not abilities.can_admin:
        return desk_render(request, "crisis/forbidden.html", {}, status=403)
    originals = {step["key"]: step for step in playbook_steps_as_data(playbook=playbook)}
    status = 200
    errors: list[str] = []
    if not playbook.is_active:
        # Somebody saved a newer version while this page was open: say so rather than overwrite it.
        status = 409
        errors = [_("A newer version of this playbook exists; open it from the playbooks page.")]
        formset = PlaybookStepFormSet(initial=[step_initial(step) for step in originals.values()])
    elif request.method == "POST":
        formset = PlaybookStepFormSet(request.POST)
        if formset.is_valid():
            steps = [form.to_step(originals.get(form.cleaned_data.get("key")))
                     for form in formset.forms
                     if form.has_changed() or form.cleaned_data.get("key")
                     if form.cleaned_data and not form.cleaned_data.get("DELETE")]
            try:
                revised = playbook_revise(playbook=playbook, actor=request.user, steps=steps,
                                          expected_version=int(request.POST.get("version", 0)))
            except DomainError as error:
                status = HTTP_STATUS.get(error.code, 400)
                errors = [f"{field}: {reason}" for field, reasons in error.fields.items() for reason in reasons] or [
                    error.message]
            else:
                return redirect("crisis:playbook-edit", pk=revised.pk)
        else:
            status = 400
    else:
        formset = PlaybookStepFormSet(initial=[step_initial(step) for step in originals.values()])
    return desk_render(request, "crisis/playbook_edit.html", {
        "playbook": playbook, "formset": formset, "errors": errors, "abilities": abilities,
    }, status=status)
