from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.approvals.services import reviews
from crisis.models import (
    CHANNEL_CHARACTER_LIMITS,
    Channel,
    EventKind,
    Incident,
    Role,
    Statement,
    StatementApproval,
    StatementKind,
    StatementLanguage,
    StatementStatus,
    StatementVersion,
)
from crisis.system_lines import Message, line, lines, msgid

from . import statement_gates as gates
from .access import membership_require
from .audit import audit_record
from .errors import ConcurrentUpdate, InvalidTransition, PermissionDenied
from .statement_gates import statement_gates_run, statement_retracted
from .timeline import timeline_event_append
from .validation import FieldErrors, check_choice, check_happened_at, check_text

St = StatementStatus
BODY_MAX = 50_000


def _check_body(channel: str, body: str) -> None:
    errors = FieldErrors()
    check_text(errors, "body", body, max_length=BODY_MAX)
    limit = CHANNEL_CHARACTER_LIMITS.get(channel)
    if not errors.fields and limit is not None and len(body) > limit:
        errors.add(
            "body",
            _("%(channel)s accepts at most %(n)d characters; this text has %(m)d.")
            % {"channel": Channel(channel).label, "n": limit, "m": len(body)},
        )
    errors.raise_if_any()


def _transition(statement: Statement, *, expected_status: str, changes: dict) -> None:
    """Compare-and-set on (status, version): a concurrent reviewer or editor makes this lose."""
    updated = Statement.objects.filter(pk=statement.pk, status=expected_status, version=statement.version).update(
        version=statement.version + 1, **changes
    )
    if updated != 1:
        raise ConcurrentUpdate(_("Somebody else changed this statement first; reload and try again."))
    statement.version += 1
    for field, value in changes.items():
        setattr(statement, field, value)


def _require_status(statement: Statement, allowed: tuple[str, ...], action: str) -> None:
    if statement.status not in allowed:
        raise InvalidTransition(
            _("Cannot %(action)s a statement that is %(status)s.")
            % {"action": action, "status": St(statement.status).label.lower()},
            field="status",
        )


def statement_label(statement: Statement) -> Message | str:
    """How a system line names a statement: its title as written, else its kind and channel, read in the
    reader's language."""
    if statement.title:
        return statement.title
    return line("statement.label", kind=msgid(StatementKind(statement.kind).label),
                channel=msgid(Channel(statement.channel).label))


def _log(statement: Statement, *, actor, said: Message, action: str, **metadata) -> None:
    metadata.update(statement_id=statement.pk, status=statement.status)
    timeline_event_append(
        incident=statement.incident, kind=EventKind.STATEMENT, actor=actor, line=said, metadata=metadata
    )
    audit_record(
        organization=statement.incident.organization,
        actor=actor,
        action=f"statement.{action}",
        obj=statement,
        changes=metadata,
    )


@transaction.atomic
def statement_create(
    *,
    incident: Incident,
    actor,
    channel: str,
    kind: str,
    body: str,
    language: str = StatementLanguage.ZH_HANS,
    title: str = "",
) -> Statement:
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    statement = _statement_new(incident=incident, actor=actor, channel=channel, kind=kind, body=body,
                               language=language, title=title, status=St.DRAFT)
    _log(statement, actor=actor, action="create", version=1,
         said=line("statement.drafted", s=statement_label(statement)))
    return statement


@transaction.atomic
def statement_revise(
    *, statement: Statement, actor, body: str, expected_version: int | None = None
) -> StatementVersion:
    """Save new text. Approvals belong to the text they approved, so a revision goes back to draft.

    Unchanged text is not a revision: the current version is returned as it is."""
    membership_require(user=actor, organization=statement.incident.organization, role=Role.RESPONDER)
    _require_status(statement, (St.DRAFT, St.IN_REVIEW, St.APPROVED), _("revise"))
    if expected_version is not None and expected_version != statement.version:
        raise ConcurrentUpdate(_("Somebody else changed this statement first; reload and try again."), field="version")
    _check_body(statement.channel, body)
    if body == statement.current_version.body:
        # Nothing changed: a new version would name the person who pressed save as the author of someone else's
        # words, and let that someone approve them (statement_approve). The text and its approvals stand.
        return statement.current_version
    number = statement.current_version.number + 1
    try:
        with transaction.atomic():
            version = StatementVersion.objects.create(
                statement=statement, number=number, body=body, author=actor, created_at=clock.recorded_now()
            )
    except IntegrityError as exc:
        raise ConcurrentUpdate(_("Somebody saved another version first; reload and try again.")) from exc
    _transition(statement, expected_status=statement.status, changes={"status": St.DRAFT, "current_version": version})
    # The chain starts again from its first step when the new text is submitted.
    reviews.review_cancel(statement=statement, reason=_("revised to version %(n)d") % {"n": number})
    _log(
        statement,
        actor=actor,
        action="revise",
        version=number,
        said=line("statement.revised", n=number, s=statement_label(statement)),
    )
    return version


@transaction.atomic
def statement_submit_for_review(*, statement: Statement, actor, overrides: dict[str, str] | None = None,
                                submitted_at: datetime | None = None) -> Statement:
    """Ask for approval. The statement kind's approval chain, as it stands now, starts at its first step;
    ``submitted_at`` says when it was sent for approval if that was earlier (from a phone, logged later)."""
    membership_require(user=actor, organization=statement.incident.organization, role=Role.RESPONDER)
    _require_status(statement, (St.DRAFT,), _("submit"))
    present, recorded = clock.now_and_recorded()
    errors = FieldErrors()
    check_happened_at(errors, "submitted_at", submitted_at, required=False,
                      first_public_signal_at=statement.incident.first_public_signal_at)
    errors.raise_if_any()
    statement_gates_run(statement=statement, actor=actor, action=gates.SUBMIT, overrides=overrides)
    _transition(statement, expected_status=St.DRAFT, changes={"status": St.IN_REVIEW})
    review = reviews.review_start(statement=statement, actor=actor, submitted_at=min(submitted_at or present, present),
                                  recorded_at=recorded,
                                  writer_ids=_writers(statement=statement, words=statement.current_version.body))
    said = line("statement.submitted", s=statement_label(statement))
    if review is not None:
        first = review.steps.get(position=1)
        said = lines(said, line("statement.review_waits", total=review.step_count, step=first.name,
                                who=", ".join(_names(first.approver_ids))))
    _log(statement, actor=actor, action="submit", version=statement.current_version.number, said=said,
         **({"submitted_at": submitted_at.isoformat()} if submitted_at else {}))
    return statement


@transaction.atomic
def statement_approve(*, statement: Statement, actor, note: str = "") -> StatementApproval:
    """An approver other than the author of the current text signs off on exactly that text: the step of its
    approval chain that waits, or, for a kind with no chain, the whole of it."""
    membership_require(user=actor, organization=statement.incident.organization, role=Role.APPROVER)
    _require_status(statement, (St.IN_REVIEW,), _("approve"))
    version = statement.current_version
    writers = _writers(statement=statement, words=version.body)
    if actor is not None and actor.pk in writers:
        raise PermissionDenied(_("The author of a text cannot approve it; ask another approver."), field="approver")
    review = reviews.review_active(statement=statement)
    if review is not None and not Statement.objects.filter(pk=statement.pk, version=statement.version).exists():
        # Read before somebody else's approval moved the chain on: say so, not "this step is not yours".
        raise ConcurrentUpdate(_("Somebody else changed this statement first; reload and try again."))
    if review is not None and actor is None:
        raise PermissionDenied(_("Each step of an approval chain is approved by a person."), field="approver")
    step = reviews.review_step_for(review=review, statement=statement, actor=actor) if review is not None else None
    is_last = review is None or review.current_position == review.step_count
    _transition(statement, expected_status=St.IN_REVIEW, changes={"status": St.APPROVED} if is_last else {})
    said = line("statement.approved", n=version.number, s=statement_label(statement))
    if review is not None:
        following = reviews.review_approve_step(review=review, step=step, statement=statement, actor=actor,
                                                note=note, now=clock.now(), writer_ids=writers)
        if following is not None:
            said = line("statement.step_approved", position=step.position, total=review.step_count, step=step.name,
                        n=version.number, s=statement_label(statement), next=following.name)
    approval = StatementApproval.objects.create(version=version, approver=actor, note=note,
                                                created_at=clock.recorded_now())
    _log(statement, actor=actor, action="approve", version=version.number, said=said,
         **({"step": review.current_position} if review is not None else {}))
    return approval


def _names(user_ids: list[int]) -> list[str]:
    people = {user.pk: user.get_full_name() or user.get_username()
              for user in get_user_model().objects.filter(pk__in=user_ids)}
    return [people[pk] for pk in user_ids if pk in people]


def _writers(*, statement: Statement, words: str) -> set[int]:
    """Who wrote these words in some version of the statement, whoever saved the current one.

    Compared with all whitespace left out (Chinese puts no spaces between words, so a space anywhere can be the
    only change): someone else re-saving an approver's text with a space or a line break changed, or going back
    to it after an edit, does not make it theirs."""
    wanted = "".join(words.split())
    return {author_id for author_id, body in
            StatementVersion.objects.filter(statement=statement, author__isnull=False).values_list("author_id", "body")
            if "".join(body.split()) == wanted}


@transaction.atomic
def statement_publish(
    *, statement: Statement, actor, published_at: datetime | None = None, public_url: str = "",
    overrides: dict[str, str] | None = None,
) -> Statement:
    """Publish the approved text; ``published_at`` says when it went out if that was earlier."""
    membership_require(user=actor, organization=statement.incident.organization, role=Role.COMMANDER)
    _require_status(statement, (St.APPROVED,), _("publish"))
    if not StatementApproval.objects.filter(version=statement.current_version).exists():
        raise InvalidTransition(_("The current version has no approval."), field="status")
    statement_gates_run(statement=statement, actor=actor, action=gates.PUBLISH, overrides=overrides)
    _publish(statement, actor=actor, published_at=published_at, public_url=public_url, expected_status=St.APPROVED)
    return statement


@transaction.atomic
def statement_record_published(
    *, incident: Incident, actor, channel: str, kind: str, body: str, published_at: datetime,
    language: str = StatementLanguage.ZH_HANS, title: str = "", public_url: str = "",
    overrides: dict[str, str] | None = None,
) -> Statement:
    """Record a statement that went out without the desk (from someone's phone at 01:30, or in a past
    crisis being imported): its text and when it was published, with no approval recorded here."""
    membership_require(user=actor, organization=incident.organization, role=Role.COMMANDER)
    statement = _statement_new(incident=incident, actor=actor, channel=channel, kind=kind, body=body,
                               language=language, title=title, status=St.APPROVED)
    statement_gates_run(statement=statement, actor=actor, action=gates.RECORD_PUBLISHED, overrides=overrides)
    _publish(statement, actor=actor, published_at=published_at, public_url=public_url, expected_status=St.APPROVED,
             outside_desk=True)
    return statement


def _statement_new(*, incident: Incident, actor, channel: str, kind: str, body: str, language: str, title: str,
                   status: str, is_off_script: bool = False) -> Statement:
    """Check and write a statement with its first version."""
    errors = FieldErrors()
    check_choice(errors, "channel", channel, Channel)
    check_choice(errors, "kind", kind, StatementKind)
    check_choice(errors, "language", language, StatementLanguage)
    check_text(errors, "title", title, max_length=200, required=False)
    errors.raise_if_any()
    _check_body(channel, body)
    statement = Statement.objects.create(incident=incident, channel=channel, kind=kind, language=language,
                                         title=title, created_by=actor, status=status, is_off_script=is_off_script)
    version = StatementVersion.objects.create(statement=statement, number=1, body=body, author=actor,
                                              created_at=clock.recorded_now())
    Statement.objects.filter(pk=statement.pk).update(current_version=version)
    statement.current_version = version
    return statement


def _publish(statement: Statement, *, actor, published_at: datetime | None, public_url: str, expected_status: str,
             outside_desk: bool = False, said: Message | None = None, action: str = "") -> None:
    """``said`` and ``action`` replace the timeline line and the audit action for a publication another feature
    records in its own words (an off-script post, crisis.comms)."""
    present, recorded = clock.now_and_recorded()
    published_at = published_at or present
    errors = FieldErrors()
    check_happened_at(errors, "published_at", published_at,
                      first_public_signal_at=statement.incident.first_public_signal_at)
    check_text(errors, "public_url", public_url, max_length=1000, required=False)
    if public_url and not public_url.startswith(("http://", "https://")):
        errors.add("public_url", _("Give an http(s) address."))
    errors.raise_if_any()
    _transition(
        statement,
        expected_status=expected_status,
        changes={
            "status": St.PUBLISHED,
            "published_at": published_at,
            "published_recorded_at": recorded,
            "public_url": public_url,
            "published_version": statement.current_version,
        },
    )
    said = said or line("statement.published", channel=msgid(Channel(statement.channel).label),
                        s=statement_label(statement))
    if outside_desk and not statement.is_off_script:
        said = lines(said, line("statement.published_outside_desk"))
    timeline_event_append(
        incident=statement.incident,
        kind=EventKind.STATEMENT,
        actor=actor,
        occurred_at=published_at,
        source_url=public_url,
        is_pinned=True,
        line=said,
        metadata={
            "statement_id": statement.pk,
            "status": St.PUBLISHED,
            "kind": statement.kind,
            "channel": statement.channel,
            "version": statement.current_version.number,
            **({"outside_desk": True} if outside_desk else {}),
            **({"off_script": True} if statement.is_off_script else {}),
        },
    )
    audit_record(
        organization=statement.incident.organization,
        actor=actor,
        action=action or ("statement.record_published" if outside_desk else "statement.publish"),
        obj=statement,
        changes={"public_url": public_url, "published_at": published_at.isoformat()},
    )
    gates.statement_published.send(sender=Statement, statement=statement, actor=actor)
    if statement.is_off_script:
        return
    from crisis.playbooks.satisfaction import deadlines_satisfy_by_statement

    deadlines_satisfy_by_statement(statement=statement, actor=actor)


@transaction.atomic
def statement_retract(*, statement: Statement, actor, reason: str) -> Statement:
    membership_require(user=actor, organization=statement.incident.organization, role=Role.COMMANDER)
    _require_status(statement, (St.PUBLISHED,), _("retract"))
    errors = FieldErrors()
    check_text(errors, "reason", reason, max_length=2000)
    errors.raise_if_any()
    _transition(statement, expected_status=St.PUBLISHED, changes={"status": St.RETRACTED, "retracted_at": clock.now()})
    _log(
        statement,
        actor=actor,
        action="retract",
        reason=reason,
        said=line("statement.retracted", s=statement_label(statement), r=reason),
    )
    statement_retracted.send(sender=Statement, statement=statement, actor=actor, reason=reason)
    return statement
