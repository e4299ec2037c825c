"""On the statement page: the consistency check before submit/publish, and the redline against any other
statement of the incident."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from crisis.models import Statement
from crisis.selectors import incidents_for_user
from crisis.web.access import abilities_for, desk_view
from crisis.web.diff import side_by_side
from crisis.web.rendering import desk_render

from ..services.consistency import GATE, conflict_sentence, consistency_check


def _statement(request: HttpRequest, pk: int) -> Statement:
    return get_object_or_404(Statement.objects.select_related("incident__organization", "current_version"),
                             pk=pk, incident__in=incidents_for_user(user=request.user))


@desk_view
def statement_consistency(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request, pk)
    conflicts = consistency_check(statement=statement)
    return render(request, "facts/partials/statement_consistency.html", {
        "statement": statement, "gate": GATE,
        "abilities": abilities_for(user=request.user, organization=statement.incident.organization),
        "conflicts": [(c, conflict_sentence(c)) for c in conflicts],
    })


@desk_view
def statement_compare(request: HttpRequest, pk: int) -> HttpResponse:
    statement = _statement(request, pk)
    incident = statement.incident
    others = list(incident.statements.exclude(pk=statement.pk).select_related("current_version")
                  .order_by("created_at", "id"))
    chosen = request.GET.get("with", "")
    other = next((o for o in others if str(o.pk) == chosen), None)
    return desk_render(request, "facts/statement_compare.html", {
        "incident": incident, "organization": incident.organization, "statement": statement,
        "others": others, "other": other,
        "diff": side_by_side(statement.current_version.body, other.current_version.body) if other else [],
    }, status=404 if chosen and other is None else 200)
