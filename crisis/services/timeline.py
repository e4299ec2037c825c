from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import EventKind, Incident, Role, TimelineEvent
from crisis.system_lines import Message, line_english

from .access import membership_require
from .audit import audit_record
from .errors import ConcurrentUpdate
from .validation import FieldErrors, check_choice, check_happened_at, check_json, check_text

BODY_MAX = 20_000
URL_MAX = 1000
METADATA_MAX = 50_000


def timeline_event_append(
    *,
    incident: Incident,
    kind: str,
    body: str = "",
    line: Message | None = None,
    actor=None,
    occurred_at: datetime | None = None,
    source_url: str = "",
    metadata: dict[str, Any] | None = None,
    is_pinned: bool = False,
    corrects: TimelineEvent | None = None,
) -> TimelineEvent:
    """Write one event as part of the caller's transaction. Other services call this; it checks nothing.
    A system line is given as ``line`` (crisis/system_lines.py) and its English text becomes the body;
    what a person wrote is given as ``body``."""
    present, recorded_at = clock.now_and_recorded()
    return TimelineEvent.objects.create(
        incident=incident,
        kind=kind,
        body=line_english(line) if line else body,
        message=line,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        occurred_at=occurred_at or present,
        recorded_at=recorded_at,
        source_url=source_url,
        metadata=metadata or {},
        is_pinned=is_pinned,
        corrects=corrects,
    )


def _validate_event(*, incident: Incident, kind: str, body: str, occurred_at: datetime | None,
                    source_url: str) -> None:
    errors = FieldErrors()
    check_choice(errors, "kind", kind, EventKind)
    check_text(errors, "body", body, max_length=BODY_MAX)
    check_happened_at(errors, "occurred_at", occurred_at, required=False,
                      first_public_signal_at=incident.first_public_signal_at)
    check_text(errors, "source_url", source_url, max_length=URL_MAX, required=False)
    if source_url and not str(source_url).startswith(("http://", "https://")):
        errors.add("source_url", _("Give an http(s) address."))
    errors.raise_if_any()


@transaction.atomic
def timeline_event_log(
    *,
    incident: Incident,
    actor,
    body: str,
    kind: str = EventKind.NOTE,
    occurred_at: datetime | None = None,
    source_url: str = "",
    metadata: dict[str, Any] | None = None,
    is_pinned: bool = False,
) -> TimelineEvent:
    """A person logs what they saw, decided or did (``occurred_at``: when it happened, if earlier)."""
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    _validate_event(incident=incident, kind=kind, body=body, occurred_at=occurred_at, source_url=source_url)
    if metadata is not None:
        errors = FieldErrors()
        check_json(errors, "metadata", metadata, max_length=METADATA_MAX)
        errors.raise_if_any()
    if kind == EventKind.ACKNOWLEDGEMENT:
        acknowledged = _acknowledgement_log(incident=incident, actor=actor, body=body, occurred_at=occurred_at,
                                            source_url=source_url, is_pinned=is_pinned, metadata=metadata)
        if acknowledged is not None:
            return acknowledged
    event = timeline_event_append(
        incident=incident, kind=kind, body=body.strip(), actor=actor, occurred_at=occurred_at,
        source_url=source_url, metadata=metadata, is_pinned=is_pinned,
    )
    audit_record(organization=incident.organization, actor=actor, action="timeline_event.log", obj=event,
                 changes={"kind": kind})
    _after_event_logged(event)
    return event


def _after_event_logged(event: TimelineEvent) -> None:
    """Let the playbook engine see the event (a step may be satisfied by an event kind)."""
    from crisis.playbooks.satisfaction import deadlines_satisfy_by_event

    deadlines_satisfy_by_event(event=event, actor=event.actor)


def _acknowledgement_log(*, incident: Incident, actor, body: str, occurred_at: datetime | None,
                         source_url: str, is_pinned: bool, metadata: dict[str, Any] | None) -> TimelineEvent | None:
    """Logging an acknowledgement acknowledges the incident at that time (the event is the same one);
    None when an earlier acknowledgement stands, and this is logged as a plain line."""
    from .incidents import incident_acknowledgement_record

    return incident_acknowledgement_record(incident=incident, actor=actor, acknowledged_at=occurred_at,
                                           note=body, source_url=source_url, is_pinned=is_pinned, metadata=metadata)


@transaction.atomic
def timeline_event_correct(
    *, event: TimelineEvent, actor, body: str, occurred_at: datetime | None = None, reason: str = ""
) -> TimelineEvent:
    """Record a correction beside the original; the original stays as it was."""
    incident = event.incident
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    _validate_event(incident=incident, kind=event.kind, body=body, occurred_at=occurred_at, source_url="")
    if TimelineEvent.objects.filter(corrects=event).exists():
        raise ConcurrentUpdate(_("This event has already been corrected; correct the correction instead."),
                               field="corrects")
    try:
        with transaction.atomic():
            correction = timeline_event_append(
                incident=incident, kind=event.kind, body=body.strip(), actor=actor,
                occurred_at=occurred_at or event.occurred_at, corrects=event, is_pinned=event.is_pinned,
                metadata={"reason": reason} if reason else None,
            )
    except IntegrityError as exc:
        # Two people corrected the same line at once; the unique constraint let one through.
        raise ConcurrentUpdate(_("Somebody corrected this event first."), field="corrects") from exc
    audit_record(organization=incident.organization, actor=actor, action="timeline_event.correct", obj=correction,
                 changes={"corrects": event.pk, "reason": reason})
    return correction


@transaction.atomic
def timeline_event_pin(*, event: TimelineEvent, actor, is_pinned: bool) -> TimelineEvent:
    membership_require(user=actor, organization=event.incident.organization, role=Role.RESPONDER)
    # Pinning is idempotent by nature (set, not toggle), so a plain conditional update is the CAS.
    TimelineEvent.objects.filter(pk=event.pk).exclude(is_pinned=is_pinned).update(is_pinned=is_pinned)
    event.is_pinned = is_pinned
    audit_record(organization=event.incident.organization, actor=actor, action="timeline_event.pin", obj=event,
                 changes={"is_pinned": is_pinned})
    return event
