"""What the statement page's promises section reads, without the statement view knowing about promises."""

from django import template

from crisis import clock
from crisis.models import StatementStatus
from crisis.web.forms import _member_choices

from ..forms import CommitmentForm, CommitmentKeepForm, CommitmentWithdrawForm
from ..models import CommitmentState
from ..selectors import commitments_of_statement

register = template.Library()


@register.simple_tag(takes_context=True)
def statement_commitments(context, statement) -> dict:
    request = context.get("request")
    refused_id, refused_form = getattr(request, "commitment_refused", (None, None))
    incident = statement.incident
    published = [("", "—")] + [(str(s.pk), str(s)) for s in incident.statements.filter(
        status=StatementStatus.PUBLISHED).exclude(pk=statement.pk).order_by("published_at")]
    now = clock.now()
    members = None
    rows = []
    for commitment in commitments_of_statement(statement=statement):
        members = members if members is not None else _member_choices(incident.organization)
        form = CommitmentForm(zone=incident.time_zone, owner_choices=members, initial={
            "due_at": commitment.due_at, "owner": commitment.owner_id, "audience": commitment.audience,
            "audience_name": commitment.audience_name, "warn_before_minutes": commitment.warn_before_minutes})
        keep_form = CommitmentKeepForm()
        keep_form.fields["kept_by_statement"].choices = published
        withdraw_form = CommitmentWithdrawForm()
        if refused_id == commitment.pk:
            form, keep_form, withdraw_form = (refused_form if isinstance(refused_form, cls) else default
                                              for cls, default in ((CommitmentForm, form),
                                                                   (CommitmentKeepForm, keep_form),
                                                                   (CommitmentWithdrawForm, withdraw_form)))
        late = None
        if commitment.kept_at and commitment.kept_at > commitment.due_at:
            late = int((commitment.kept_at - commitment.due_at).total_seconds() // 60)
        rows.append({"commitment": commitment, "form": form, "keep_form": keep_form, "withdraw_form": withdraw_form,
                     "is_refused": refused_id == commitment.pk, "late_minutes": late,
                     "is_overdue": commitment.state == CommitmentState.OPEN and commitment.due_at <= now})
    return {"rows": rows, "can_suggest": statement.status != StatementStatus.RETRACTED,
            "refused_top": refused_form if refused_id is None and refused_form is not None else None}
