"""The author decides on each suggested promise: confirm it (maybe corrected), edit it, or dismiss it."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Deadline, Membership, Role, StatementStatus
from crisis.services.access import membership_require
from crisis.services.owned_deadlines import owned_deadline_move, owned_subject, owner_chain
from crisis.services.statements import statement_label
from crisis.services.validation import FieldErrors, check_choice, check_text, moment_in_utc
from crisis.system_lines import line

from ..models import Audience, Commitment, CommitmentState
from .publication import commitment_track
from .recording import commitment_lock, commitment_log, commitment_set, due_label

S = CommitmentState
WARN_BEFORE_MAX = 24 * 60
UNSET = object()
DUE_RANGE = timedelta(days=366)


def _check(commitment: Commitment, *, text, due_at, audience, audience_name, owner_id,
           warn_before_minutes) -> dict:
    """The changes asked for, checked all at once; InvalidInput naming each field at fault, nothing written."""
    errors = FieldErrors()
    changes: dict = {}
    if text is not UNSET:
        check_text(errors, "text", text, max_length=500)
        changes["text"] = text
    if due_at is not UNSET:
        _check_due(errors, due_at)
        if "due_at" not in errors.fields:
            changes.update(due_at=moment_in_utc(due_at), is_due_set_by_hand=True)
    if audience is not UNSET:
        check_choice(errors, "audience", audience, Audience)
        changes["audience"] = audience
    if audience_name is not UNSET:
        check_text(errors, "audience_name", audience_name, max_length=120, required=False)
        changes["audience_name"] = audience_name or ""
    if owner_id is not UNSET:
        owner = _member(commitment, owner_id)
        if owner is None:
            errors.add("owner", _("The owner must be a member of this organization."))
        changes["owner"] = owner
    if warn_before_minutes is not UNSET:
        if (isinstance(warn_before_minutes, bool) or not isinstance(warn_before_minutes, int)
                or not 0 <= warn_before_minutes <= WARN_BEFORE_MAX):
            errors.add("warn_before_minutes", _("Give a whole number of minutes from 0 to %(n)d.")
                       % {"n": WARN_BEFORE_MAX})
        changes["warn_before_minutes"] = warn_before_minutes
    errors.raise_if_any()
    return changes


def _check_due(errors: FieldErrors, due_at) -> None:
    """A promise falls due in the future, unlike the facts check_moment is for, or in the past (logged after
    its time: breached on arrival); not years either way, which is a mistyped date."""
    if not isinstance(due_at, datetime) or due_at.tzinfo is None:
        errors.add("due_at", _("Give a date and time with a time zone."))
        return
    try:
        moment = moment_in_utc(due_at)
    except ValueError as exc:
        errors.add("due_at", str(exc))
        return
    if abs(moment - clock.now()) > DUE_RANGE:
        errors.add("due_at", _("A promise falls due within a year of now; check the date."))


def _member(commitment: Commitment, owner_id):
    if isinstance(owner_id, bool) or not isinstance(owner_id, int):
        return None
    if not Membership.objects.filter(organization_id=commitment.incident.organization_id, user_id=owner_id).exists():
        return None
    return get_user_model().objects.get(pk=owner_id)


@transaction.atomic
def commitment_confirm(*, commitment: Commitment, actor, expected_version: int | None = None, text=UNSET,
                       due_at=UNSET, audience=UNSET, audience_name=UNSET, owner_id=UNSET,
                       warn_before_minutes=UNSET) -> Commitment:
    """Track this promise. On a statement already out it becomes a deadline at once; otherwise when it goes out."""
    membership_require(user=actor, organization=commitment.incident.organization, role=Role.RESPONDER)
    fresh = commitment_lock(commitment, expected_version=expected_version, allowed=(S.SUGGESTED,))
    if fresh.statement.status == StatementStatus.RETRACTED:
        raise _retracted()
    changes = _check(fresh, text=text, due_at=due_at, audience=audience, audience_name=audience_name,
                     owner_id=owner_id, warn_before_minutes=warn_before_minutes)
    changes.setdefault("owner", fresh.owner or actor)
    commitment_set(fresh, state=S.CONFIRMED, **changes)
    commitment_log(fresh, actor=actor, action="confirm", said=line(
        "commitment.confirmed", s=statement_label(fresh.statement), text=fresh.text, due=due_label(fresh)),
        due_at=fresh.due_at.isoformat(), owner_id=fresh.owner_id)
    if fresh.statement.status == StatementStatus.PUBLISHED:
        commitment_track(fresh, actor=actor)
    return fresh


@transaction.atomic
def commitment_edit(*, commitment: Commitment, actor, expected_version: int | None = None, text=UNSET,
                    due_at=UNSET, audience=UNSET, audience_name=UNSET, owner_id=UNSET,
                    warn_before_minutes=UNSET) -> Commitment:
    """Correct a promise's words, time, owner or audience; an open one's deadline follows."""
    membership_require(user=actor, organization=commitment.incident.organization, role=Role.RESPONDER)
    fresh = commitment_lock(commitment, expected_version=expected_version, allowed=(S.SUGGESTED, S.CONFIRMED, S.OPEN))
    changes = _check(fresh, text=text, due_at=due_at, audience=audience, audience_name=audience_name,
                     owner_id=owner_id, warn_before_minutes=warn_before_minutes)
    if not changes:
        return fresh
    commitment_set(fresh, **changes)
    if fresh.state == S.OPEN and fresh.deadline_id:
        _deadline_follow(fresh, changes)
    commitment_log(fresh, actor=actor, action="edit", said=line("commitment.edited", text=fresh.text,
                                                                 due=due_label(fresh)),
                   fields=sorted(changes), due_at=fresh.due_at.isoformat(), owner_id=fresh.owner_id)
    return fresh


def _deadline_follow(commitment: Commitment, changes: dict) -> None:
    deadline = Deadline.objects.get(pk=commitment.deadline_id)
    if "due_at" in changes and deadline.due_at != commitment.due_at:
        deadline = owned_deadline_move(deadline=deadline, due_at=commitment.due_at)
    if "owner" in changes or "warn_before_minutes" in changes:
        subject = owned_subject(record_type="commitment", record_id=commitment.pk,
                                chain=owner_chain(owner_id=commitment.owner_id),
                                warn_before=timedelta(minutes=commitment.warn_before_minutes))
        Deadline.objects.filter(pk=deadline.pk).update(owner=commitment.owner, subject=subject)


@transaction.atomic
def commitment_dismiss(*, commitment: Commitment, actor, expected_version: int | None = None) -> Commitment:
    """Not a promise after all (or not one to track): it is not offered again for this statement."""
    membership_require(user=actor, organization=commitment.incident.organization, role=Role.RESPONDER)
    fresh = commitment_lock(commitment, expected_version=expected_version, allowed=(S.SUGGESTED, S.CONFIRMED))
    commitment_set(fresh, state=S.DISMISSED)
    commitment_log(fresh, actor=actor, action="dismiss", said=line("commitment.dismissed", text=fresh.text))
    return fresh


def _retracted():
    from crisis.services.errors import InvalidTransition

    return InvalidTransition(_("The statement was retracted; its promises cannot be tracked."), field="statement")
