"""An incident's inquiry log: a question put to us, the reply we owe by a time, and how it ended.

The reply-by is an owned deadline (crisis/services/owned_deadlines.py): it warns the owner, then pages
the owner and then the commander when it slips; answering settles it at the time the answer went out,
closing without a reply cancels it."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import DeadlineKind, EventKind, Incident, Role, role_at_least
from crisis.selectors import local_time
from crisis.services.access import membership_require, membership_role
from crisis.services.audit import audit_record
from crisis.services.errors import ConcurrentUpdate, InvalidTransition
from crisis.services.owned_deadlines import (
    owned_deadline_cancel,
    owned_deadline_create,
    owned_deadline_for,
    owned_deadline_settle,
    owner_chain,
)
from crisis.services.timeline import timeline_event_append
from crisis.services.validation import FieldErrors, check_choice, check_happened_at, check_number, check_text
from crisis.system_lines import Message, line, msgid

from .. import lines  # noqa: F401 (the lines below must be registered before they are written)
from ..models import Inquiry, InquiryState, Stakeholder, StakeholderChannel
from .references import incident_statement

QUESTION_MAX = 5000
ANSWER_MAX = 10_000
REASON_MAX = 2000
NAME_MAX = 200
REPLY_WITHIN_MAX = 7 * 24 * 60  # minutes: a week is the longest a reply is ever promised
REPLY_WITHIN_DEFAULT = 30
# The owner hears this long before the reply is due (half the window for a short one), then is paged when it slips.
WARN_BEFORE = timedelta(minutes=10)
RECORD_TYPE = "inquiry"
QUOTED_MAX = 200


def _quoted(text: str) -> str:
    return text if len(text) <= QUOTED_MAX else text[:QUOTED_MAX] + "…"


def _log(inquiry: Inquiry, *, actor, said: Message, action: str, occurred_at: datetime, **metadata) -> None:
    metadata.update(inquiry_id=inquiry.pk, state=inquiry.state)
    timeline_event_append(incident=inquiry.incident, kind=EventKind.ACTION if action != "log" else EventKind.NOTE,
                          actor=actor, line=said, occurred_at=occurred_at, metadata=metadata)
    audit_record(organization=inquiry.incident.organization, actor=actor, action=f"inquiry.{action}", obj=inquiry,
                 changes=metadata)


def _owner(errors: FieldErrors, incident: Incident, owner_id, actor):
    if owner_id is None:
        return actor
    owner = get_user_model().objects.filter(pk=owner_id).first() if isinstance(owner_id, int) else None
    role = membership_role(user=owner, organization=incident.organization) if owner else None
    if role is None or not role_at_least(role, Role.RESPONDER):
        errors.add("owner", _("Give a member of this organization who may respond (responder or above)."))
        return None
    return owner


def _stakeholder(errors: FieldErrors, incident: Incident, stakeholder_id) -> Stakeholder | None:
    if stakeholder_id is None:
        return None
    found = (Stakeholder.objects.filter(pk=stakeholder_id, organization_id=incident.organization_id).first()
             if isinstance(stakeholder_id, int) else None)
    if found is None:
        errors.add("stakeholder", _("No such stakeholder on this organization's list."))
    return found


@transaction.atomic
def inquiry_log(*, incident: Incident, actor, channel: str, question: str, asked_at: datetime | None = None,
                reply_within_minutes: int = REPLY_WITHIN_DEFAULT, stakeholder_id: int | None = None,
                asker_name: str = "", owner_id: int | None = None) -> Inquiry:
    """Log a question, often after the fact (``asked_at`` earlier than now): the reply is owed
    ``reply_within_minutes`` after it was asked, so one logged past that is overdue, and paged, at once."""
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    asked_at = asked_at or clock.now()
    errors = FieldErrors()
    check_choice(errors, "channel", channel, StakeholderChannel)
    check_text(errors, "question", question, max_length=QUESTION_MAX)
    check_happened_at(errors, "asked_at", asked_at, first_public_signal_at=incident.first_public_signal_at)
    check_number(errors, "reply_within_minutes", reply_within_minutes, minimum=1, maximum=REPLY_WITHIN_MAX,
                 integer=True)
    check_text(errors, "asker_name", asker_name, max_length=NAME_MAX, required=stakeholder_id is None)
    stakeholder = _stakeholder(errors, incident, stakeholder_id)
    owner = _owner(errors, incident, owner_id, actor)
    errors.raise_if_any()
    window = timedelta(minutes=int(reply_within_minutes))
    inquiry = Inquiry.objects.create(
        incident=incident, stakeholder=stakeholder, asker_name=(asker_name or "").strip() or stakeholder.name,
        channel=channel, question=question.strip(), asked_at=asked_at, recorded_at=clock.recorded_now(),
        owner=owner, reply_by=asked_at + window, created_by=actor,
    )
    _log(inquiry, actor=actor, action="log", occurred_at=asked_at, owner_id=owner.pk,
         reply_by=inquiry.reply_by.isoformat(),
         said=line("inquiry.logged", who=inquiry.asker_name, channel=msgid(StakeholderChannel(channel).label),
                   due=local_time(inquiry.reply_by, incident.time_zone).strftime("%H:%M"),
                   q=_quoted(inquiry.question)))
    owned_deadline_create(incident=incident, kind=DeadlineKind.INQUIRY, record_type=RECORD_TYPE, record_id=inquiry.pk,
                          name=f"{inquiry.asker_name}: {inquiry.question}", due_at=inquiry.reply_by, owner=owner,
                          chain=owner_chain(owner_id=owner.pk), warn_before=min(WARN_BEFORE, window / 2))
    return inquiry


def _transition(inquiry: Inquiry, *, expected_version: int, changes: dict) -> None:
    """Compare-and-set on (open, version): a colleague answering or closing it first makes this lose."""
    if inquiry.state != InquiryState.OPEN:
        raise InvalidTransition(_("This inquiry is %(state)s already.")
                                % {"state": InquiryState(inquiry.state).label.lower()}, field="state")
    updated = Inquiry.objects.filter(pk=inquiry.pk, state=InquiryState.OPEN, version=expected_version).update(
        version=expected_version + 1, **changes)
    if updated != 1:
        raise ConcurrentUpdate(_("Somebody else changed this inquiry first; reload and try again."), field="version")
    inquiry.version = expected_version + 1
    for name, value in changes.items():
        setattr(inquiry, name, value)


@transaction.atomic
def inquiry_answer(*, inquiry: Inquiry, actor, expected_version: int, answer: str,
                   answered_at: datetime | None = None, statement_id: int | None = None) -> Inquiry:
    """The reply went out at ``answered_at`` (maybe before it was logged): the reply-by is judged on that time, so
    an answer in time retracts an alarm raised while nobody had logged it yet."""
    incident = inquiry.incident
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    answered_at = answered_at or clock.now()
    errors = FieldErrors()
    check_text(errors, "answer", answer, max_length=ANSWER_MAX)
    check_happened_at(errors, "answered_at", answered_at, first_public_signal_at=incident.first_public_signal_at)
    if "answered_at" not in errors.fields and answered_at < inquiry.asked_at:
        errors.add("answered_at", _("The answer cannot go out before the question was asked."))
    errors.raise_if_any()
    statement = incident_statement(incident=incident, statement_id=statement_id) if statement_id is not None else None
    _transition(inquiry, expected_version=expected_version, changes={
        "state": InquiryState.ANSWERED, "answer": answer.strip(), "answered_at": answered_at,
        "statement": statement})
    _log(inquiry, actor=actor, action="answer", occurred_at=answered_at, statement_id=statement_id,
         said=line("inquiry.answered", who=inquiry.asker_name, a=_quoted(inquiry.answer)))
    deadline = owned_deadline_for(record_type=RECORD_TYPE, record_id=inquiry.pk, incident=incident)
    if deadline is not None:
        owned_deadline_settle(deadline=deadline, happened_at=answered_at, actor=actor)
    return inquiry


@transaction.atomic
def inquiry_close(*, inquiry: Inquiry, actor, expected_version: int, reason: str) -> Inquiry:
    """No reply will be given (a duplicate, the asker withdrew, legal said no): nothing is owed any more."""
    incident = inquiry.incident
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    errors = FieldErrors()
    check_text(errors, "reason", reason, max_length=REASON_MAX)
    errors.raise_if_any()
    now = clock.now()
    _transition(inquiry, expected_version=expected_version, changes={
        "state": InquiryState.CLOSED, "close_reason": reason.strip(), "closed_at": now})
    _log(inquiry, actor=actor, action="close", occurred_at=now,
         said=line("inquiry.closed", who=inquiry.asker_name, r=inquiry.close_reason))
    deadline = owned_deadline_for(record_type=RECORD_TYPE, record_id=inquiry.pk, incident=incident)
    if deadline is not None:
        owned_deadline_cancel(deadline=deadline, reason=inquiry.close_reason)
    return inquiry
