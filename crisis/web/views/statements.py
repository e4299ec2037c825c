import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisis import clock
from crisis.approvals.selectors import statement_chain
from crisis.durations import duration_units
from crisis.models import CHANNEL_CHARACTER_LIMITS, Channel, Statement, StatementStatus
from crisis.selectors import incidents_for_user
from crisis.services.errors import InvalidInput
from crisis.services.statement_gates import override_hint, statement_gates
from crisis.services.statements import (
    statement_approve,
    statement_create,
    statement_publish,
    statement_retract,
    statement_revise,
    statement_submit_for_review,
)

from ..access import abilities_for, desk_view, incident_for_request
from ..diff import side_by_side
from ..errors import form_submit
from ..forms import (
    StatementApproveForm,
    StatementForm,
    StatementPublishForm,
    StatementRetractForm,
    StatementReviseForm,
    StatementSubmitForm,
    ZonedForm,
)
from ..rendering import desk_render
from ..room import statement_entered_later

St = StatementStatus


def _limits_json() -> str:
    return json.dumps({str(channel): limit for channel, limit in CHANNEL_CHARACTER_LIMITS.items()})


@desk_view
def statement_new(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    if not abilities.can_respond:
        return desk_render(request, "crisis/forbidden.html", {"incident": incident}, status=403)
    form = StatementForm(request.POST or None)
    status = 200
    if request.method == "POST":
        statement, status = form_submit(form, lambda: statement_create(
            incident=incident, actor=request.user, **form.cleaned_data))
        if status is None:
            return redirect("crisis:statement-detail", pk=statement.pk)
    return statement_composer_render(request, incident=incident, abilities=abilities, form=form, status=status)


def statement_composer_render(request: HttpRequest, *, incident, abilities, form: StatementForm,
                              status: int = 200) -> HttpResponse:
    """The composer for a new draft, also opened prefilled (from a template, crisis.comms)."""
    return desk_render(request, "crisis/statement_new.html", {
        "incident": incident, "organization": incident.organization, "abilities": abilities, "form": form,
        "limits_json": _limits_json(), "channel_limits": _channel_limits(),
    }, status=status)


def _channel_limits() -> list[tuple[str, str, int]]:
    return [(str(channel), Channel(channel).label, limit) for channel, limit in CHANNEL_CHARACTER_LIMITS.items()]


def _statement_for_request(request: HttpRequest, pk: int) -> Statement:
    return get_object_or_404(
        Statement.objects.select_related("incident__organization", "current_version__author", "created_by"),
        pk=pk, incident__in=incidents_for_user(user=request.user),
    )


def _version_pair(request: HttpRequest, versions: list) -> tuple:
    by_number = {v.number: v for v in versions}
    newest = versions[-1]
    try:
        right = by_number.get(int(request.GET.get("b", newest.number)), newest)
        left = by_number.get(int(request.GET.get("a", right.number - 1)))
    except ValueError:
        right, left = newest, by_number.get(newest.number - 1)
    return left, right


def _statement_page(request: HttpRequest, statement: Statement, *, status: int = 200, **forms) -> HttpResponse:
    incident = statement.incident
    abilities = abilities_for(user=request.user, organization=incident.organization)
    versions = list(statement.versions.select_related("author").prefetch_related("approvals__approver"))
    current = statement.current_version
    left, right = _version_pair(request, versions)
    approvals = next((list(v.approvals.all()) for v in versions if v.pk == current.pk), [])
    limit = statement.character_limit
    context = {
        "incident": incident,
        "organization": incident.organization,
        "abilities": abilities,
        "statement": statement,
        "published_entered_later": statement_entered_later(statement),
        "versions": versions,
        "current": current,
        "current_length": len(current.body),
        "limit": limit,
        "is_over_limit": limit is not None and len(current.body) > limit,
        "approvals": approvals,
        "approval_chain": statement_chain(statement=statement),
        # The step's countdown ticks on the server's clock (which drills move) in the reader's units, not the browser's.
        "server_now": clock.now(),
        "duration_units": duration_units(),
        "left": left,
        "right": right,
        "diff": side_by_side(left.body, right.body) if left else [],
        "is_author": current.author_id == request.user.pk,
        "is_editable": statement.status in (St.DRAFT, St.IN_REVIEW, St.APPROVED),
        "limits_json": _limits_json(),
        "channel_limits": _channel_limits(),
        "revise_form": forms.get("revise") or StatementReviseForm(
            initial={"body": current.body, "expected_version": statement.version}),
        "approve_form": forms.get("approve") or StatementApproveForm(),
        "publish_form": forms.get("publish") or StatementPublishForm(zone=incident.time_zone),
        "submit_form": forms.get("submit") or StatementSubmitForm(zone=incident.time_zone),
        "retract_form": forms.get("retract") or StatementRetractForm(),
    }
    return desk_render(request, "crisis/statement_detail.html", context, status=status)


@desk_view
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _statement_page(request, _statement_for_request(request, pk))


# action: (form class, form key on the page, what the service is asked to do)
ACTIONS = {
    "revise": (StatementReviseForm, "revise", lambda st, user, d: statement_revise(
        statement=st, actor=user, body=d["body"], expected_version=d["expected_version"])),
    "submit": (StatementSubmitForm, "submit", lambda st, user, d: statement_submit_for_review(
        statement=st, actor=user, overrides=d["overrides"], submitted_at=d["submitted_at"])),
    "approve": (StatementApproveForm, "approve", lambda st, user, d: statement_approve(
        statement=st, actor=user, note=d["note"])),
    "publish": (StatementPublishForm, "publish", lambda st, user, d: statement_publish(
        statement=st, actor=user, public_url=d["public_url"], published_at=d["published_at"],
        overrides=d["overrides"])),
    "retract": (StatementRetractForm, "retract", lambda st, user, d: statement_retract(
        statement=st, actor=user, reason=d["reason"])),
}


def _overrides(request: HttpRequest, action: str) -> dict[str, str]:
    """Reasons to go ahead over a statement check: one ``override_<check>`` field each where the check's own part
    of the page adds it (the fact sheet's conflicts), else the publish form's one ``override_reason``, given to
    every check of the action; only the checks that stand in the way record it."""
    general = request.POST.get("override_reason", "").strip()
    found = {}
    for name, gate in statement_gates().items():
        reason = request.POST.get(f"override_{name}", "").strip() or (general if action in gate.actions else "")
        if reason:
            found[name] = reason
    return found


def _desk_refusal(error: InvalidInput) -> InvalidInput:
    """A refusing check's reasons as the page should say them: "give overrides.consistency a reason" is the API's
    way; on the desk the reason goes in a box of the page."""
    for key, reasons in error.fields.items():
        if key.startswith("overrides."):
            hint = override_hint(key.removeprefix("overrides."))
            error.fields[key] = [_("To go ahead anyway, say why in the box for it on this page and try again.")
                                 if reason == hint else reason for reason in reasons]
    return error


@require_POST
@desk_view
def statement_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    statement = _statement_for_request(request, pk)
    form_class, key, perform = ACTIONS[action]
    kwargs = {"zone": statement.incident.time_zone} if issubclass(form_class, ZonedForm) else {}
    form = form_class(request.POST, **kwargs)

    def save():
        try:
            return perform(statement, request.user, {**form.cleaned_data, "overrides": _overrides(request, action)})
        except InvalidInput as error:
            raise _desk_refusal(error) from None

    _saved, status = form_submit(form, save)
    if status is None:
        return redirect("crisis:statement-detail", pk=statement.pk)
    return _statement_page(request, statement, status=status, **{key: form})
