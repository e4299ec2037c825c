"""The statement page's promises section: find them in the text, confirm, correct, dismiss, keep, withdraw."""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from crisis.models import Statement, TimelineEvent
from crisis.selectors import incidents_for_user
from crisis.services.errors import DomainError, InvalidInput
from crisis.web.access import desk_view
from crisis.web.errors import form_add_domain_error, form_submit

from .forms import CommitmentForm, CommitmentKeepForm, CommitmentWithdrawForm
from .models import Commitment
from .services import changes, keeping
from .services.suggestions import commitment_suggest


class _NoFields(forms.Form):
    """A button without fields (dismiss) reports a refusal through this."""


def _back(statement_id: int) -> HttpResponse:
    return redirect(reverse("crisis:statement-detail", args=[statement_id]) + "#commitments")


def _page_with_error(request: HttpRequest, statement: Statement, commitment_id: int | None, form, status: int):
    """The statement page again, the refused form beside its promise (the template tag reads it from the request)."""
    from crisis.web.views.statements import _statement_page

    request.commitment_refused = (commitment_id, form)
    return _statement_page(request, statement, status=status)


@require_POST
@desk_view
def commitments_suggest_view(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(Statement.objects.select_related("incident__organization", "current_version"),
                                  pk=pk, incident__in=incidents_for_user(user=request.user))
    try:
        commitment_suggest(statement=statement, actor=request.user)
    except DomainError as error:
        form = _NoFields({})
        return _page_with_error(request, statement, None, form, form_add_domain_error(form, error))
    return _back(statement.pk)


def _change(commitment: Commitment, form: CommitmentForm) -> dict:
    data = form.cleaned_data
    fields = {"audience": data["audience"], "audience_name": data["audience_name"],
              "warn_before_minutes": data["warn_before_minutes"]}
    if data.get("owner") is not None:
        fields["owner_id"] = data["owner"]
    # The form shows minutes: an unchanged field must not turn a time read from the words into one set by hand.
    if data.get("due_at") is not None and data["due_at"] != commitment.due_at.replace(second=0, microsecond=0):
        fields["due_at"] = data["due_at"]
    return fields


def _keep(commitment: Commitment, user, data: dict):
    statement = data.get("kept_by_statement")
    event = data.get("kept_by_event")
    links = {
        "kept_by_statement": Statement.objects.filter(incident=commitment.incident, pk=statement).first()
        if statement else None,
        "kept_by_event": TimelineEvent.objects.filter(incident=commitment.incident, pk=event).first()
        if event else None,
    }
    for field, wanted in (("kept_by_statement", statement), ("kept_by_event", event)):
        if wanted and links[field] is None:
            raise InvalidInput(field, field=field)
    return keeping.commitment_keep(commitment=commitment, actor=user, **links)


ACTIONS = {
    "confirm": (CommitmentForm, lambda c, user, form: changes.commitment_confirm(
        commitment=c, actor=user, **_change(c, form))),
    "edit": (CommitmentForm, lambda c, user, form: changes.commitment_edit(commitment=c, actor=user,
                                                                          **_change(c, form))),
    "dismiss": (None, lambda c, user, form: changes.commitment_dismiss(commitment=c, actor=user)),
    "keep": (CommitmentKeepForm, lambda c, user, form: _keep(c, user, form.cleaned_data)),
    "withdraw": (CommitmentWithdrawForm, lambda c, user, form: keeping.commitment_withdraw(
        commitment=c, actor=user, reason=form.cleaned_data["reason"])),
}


@require_POST
@desk_view
def commitment_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    commitment = get_object_or_404(
        Commitment.objects.select_related("incident__organization", "statement__incident__organization"),
        pk=pk, incident__in=incidents_for_user(user=request.user))
    form_class, perform = ACTIONS[action]
    incident = commitment.incident
    if form_class is CommitmentForm:
        form = CommitmentForm(request.POST, zone=incident.time_zone, organization=incident.organization)
    elif form_class is CommitmentKeepForm:
        form = CommitmentKeepForm(request.POST)
        form.fields["kept_by_statement"].choices = [("", "—")] + [
            (str(s.pk), str(s)) for s in incident.statements.filter(status="published")]
    else:
        form = (form_class or _NoFields)(request.POST)
    _saved, status = form_submit(form, lambda: perform(commitment, request.user, form))
    if status is None:
        return _back(commitment.statement_id)
    return _page_with_error(request, commitment.statement, commitment.pk, form, status)
