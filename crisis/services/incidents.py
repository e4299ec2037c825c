import zoneinfo
from collections.abc import Collection
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import (
    Channel,
    EventKind,
    Incident,
    IncidentStatus,
    Membership,
    Organization,
    Role,
    Severity,
    TimelineEvent,
)
from crisis.system_lines import line, lines, msgid

from .access import membership_require
from .audit import audit_record
from .errors import ConcurrentUpdate, InvalidInput, InvalidTransition
from .timeline import timeline_event_append
from .transition_checks import transition_checks_run
from .validation import FieldErrors, check_choice, check_happened_at, check_moment, check_text

S = IncidentStatus
# Escalating is everybody's job at 2 a.m.; declaring it over is the commander's.
TRANSITION_ROLE = {S.ACTIVE: Role.RESPONDER}
STATUS_TIMESTAMP = {S.CONTAINED: "contained_at", S.RESOLVED: "resolved_at", S.CLOSED: "closed_at"}


def _check_people(errors: FieldErrors, organization: Organization, **people) -> None:
    for field, user in people.items():
        if user is not None and not Membership.objects.filter(user=user, organization=organization).exists():
            errors.add(field, _("This person is not a member of the organization."))


def _check_lists(errors: FieldErrors, *, affected_channels, tags) -> None:
    if not isinstance(affected_channels, list | tuple) or any(c not in Channel.values for c in affected_channels):
        errors.add("affected_channels", _("Give a list of known channels: %(c)s.") % {"c": ", ".join(Channel.values)})
    if not isinstance(tags, list | tuple) or any(not isinstance(t, str) or len(t) > 50 for t in tags):
        errors.add("tags", _("Give a list of short labels (50 characters at most each)."))


def _check_zone(errors: FieldErrors, time_zone: str) -> None:
    if time_zone not in zoneinfo.available_timezones():
        errors.add("time_zone", _("%(tz)s is not a known time zone.") % {"tz": time_zone})


@transaction.atomic
def incident_open(
    *,
    organization: Organization,
    actor,
    title: str,
    first_public_signal_at: datetime,
    severity: int = Severity.SEV3,
    summary: str = "",
    detected_at: datetime | None = None,
    status: str = S.ACTIVE,
    commander=None,
    spokesperson=None,
    affected_channels: list[str] | tuple = (),
    tags: list[str] | tuple = (),
    time_zone: str | None = None,
    is_retrospective: bool = False,
    judge_now: bool = True,
) -> Incident:
    """Open an incident and start its playbook clock at the first public signal.

    Deadlines the signal has already passed are breached at once and paged as one. An incident whose
    signal is older than the organization's ``retrospective_after_seconds`` (or one opened as
    ``is_retrospective``, such as an import of a past crisis) is a record of the past: judged the
    same way, it pages nobody. ``judge_now=False`` leaves the judging of what is already past to the
    caller: an import replays the crisis and sweeps each deadline at its own due time.
    """
    membership_require(user=actor, organization=organization, role=Role.RESPONDER)
    now = clock.now()
    detected_at = detected_at or now
    time_zone = time_zone or organization.time_zone
    errors = FieldErrors()
    check_text(errors, "title", title, max_length=300)
    check_text(errors, "summary", summary, max_length=20_000, required=False)
    check_choice(errors, "severity", severity, Severity)
    if status not in (S.MONITORING, S.ACTIVE):
        errors.add("status", _("A new incident is either being monitored or active."))
    check_moment(errors, "first_public_signal_at", first_public_signal_at)
    check_moment(errors, "detected_at", detected_at)
    if not errors.fields and detected_at < first_public_signal_at:
        errors.add("detected_at", _("Detection cannot precede the first public signal."))
    _check_people(errors, organization, commander=commander, spokesperson=spokesperson)
    _check_lists(errors, affected_channels=affected_channels, tags=tags)
    _check_zone(errors, time_zone)
    errors.raise_if_any()

    age = (now - first_public_signal_at).total_seconds()
    is_retrospective = is_retrospective or age > organization.retrospective_after_seconds
    incident = Incident.objects.create(
        organization=organization, title=title.strip(), summary=summary, severity=severity, status=status,
        first_public_signal_at=first_public_signal_at, detected_at=detected_at, commander=commander,
        spokesperson=spokesperson, affected_channels=list(affected_channels), tags=list(tags),
        time_zone=time_zone, created_by=actor, is_retrospective=is_retrospective,
    )
    said = line("incident.opened", title=incident.title, severity=msgid(Severity(incident.severity).label))
    if is_retrospective:
        said = lines(said, line("incident.opened_retrospective"))
    timeline_event_append(
        incident=incident, kind=EventKind.STATUS_CHANGE, actor=actor, occurred_at=first_public_signal_at,
        line=said, metadata={"to": status, "severity": severity, "is_retrospective": is_retrospective},
        is_pinned=True,
    )
    audit_record(organization=organization, actor=actor, action="incident.open", obj=incident,
                 changes={"severity": severity, "status": status, "is_retrospective": is_retrospective})
    from crisis.playbooks.instantiate import incident_playbook_start

    incident_playbook_start(incident=incident, judge_now=judge_now)
    return incident


def _compare_and_set(incident: Incident, *, expected: dict, changes: dict) -> None:
    """Apply ``changes`` only if the row still matches ``expected`` and the version we read."""
    updated = Incident.objects.filter(pk=incident.pk, version=incident.version, **expected).update(
        version=incident.version + 1, updated_at=clock.now(), **changes
    )
    if updated != 1:
        raise ConcurrentUpdate(_("Somebody else changed this incident first; reload and try again."))
    incident.version += 1
    for field, value in changes.items():
        setattr(incident, field, value)


@transaction.atomic
def incident_transition(*, incident: Incident, actor, to_status: str, note: str = "",
                        occurred_at: datetime | None = None, confirmed: Collection[str] = ()) -> Incident:
    """Move the incident along its lifecycle; ``occurred_at`` says when that happened if it was earlier.

    Declaring it over waits for a confirmation of what is left undone (services/transition_checks.py):
    ``confirmed`` names the checks the person went past, e.g. ``{"open_items"}``."""
    membership_require(user=actor, organization=incident.organization,
                       role=TRANSITION_ROLE.get(to_status, Role.COMMANDER))
    if to_status not in S.values:
        raise InvalidInput(_("Unknown status %(s)r.") % {"s": to_status}, field="status")
    from_status = incident.status
    if not incident.can_transition_to(to_status):
        raise InvalidTransition(
            _("An incident cannot go from %(a)s to %(b)s.") % {"a": S(from_status).label, "b": S(to_status).label},
            field="status",
        )
    now = clock.now()
    if occurred_at is not None:
        errors = FieldErrors()
        check_moment(errors, "occurred_at", occurred_at)
        if not errors.fields and occurred_at < incident.first_public_signal_at:
            errors.add("occurred_at", _("This cannot be before the first public signal."))
        errors.raise_if_any()
    went_past = transition_checks_run(incident=incident, to_status=to_status, confirmed=confirmed)
    happened = occurred_at or now
    changes: dict = {"status": to_status}
    if to_status in STATUS_TIMESTAMP:
        changes[STATUS_TIMESTAMP[to_status]] = happened
    if to_status == S.ACTIVE:
        # A flare-up reopens the incident: it is no longer resolved.
        changes.update(resolved_at=None, contained_at=None)
    _compare_and_set(incident, expected={"status": from_status}, changes=changes)
    said = lines(line("incident.status_changed", a=msgid(S(from_status).label), b=msgid(S(to_status).label)),
                 note)
    confirmed_record = {"confirmed": went_past} if went_past else {}
    timeline_event_append(incident=incident, kind=EventKind.STATUS_CHANGE, actor=actor, line=said,
                          occurred_at=happened, metadata={"from": from_status, "to": to_status, **confirmed_record},
                          is_pinned=True)
    audit_record(organization=incident.organization, actor=actor, action="incident.transition", obj=incident,
                 changes={"from": from_status, "to": to_status, "occurred_at": happened.isoformat(),
                          **confirmed_record})
    from crisis.playbooks.instantiate import incident_playbook_on_status

    incident_playbook_on_status(incident=incident)
    if not incident.is_open:
        from crisis.oncall.services.pages import incident_pages_resolve

        incident_pages_resolve(incident=incident, actor=actor)
    return incident


@transaction.atomic
def incident_acknowledge(*, incident: Incident, actor, acknowledged_at: datetime | None = None,
                         note: str = "") -> Incident:
    """Somebody owns it now. The earliest acknowledgement counts: a later one is a no-op, an earlier one
    entered afterwards ("we were on it at 22:50") moves the record back to when it really happened."""
    incident_acknowledgement_record(incident=incident, actor=actor, acknowledged_at=acknowledged_at, note=note)
    return incident


def incident_acknowledgement_record(*, incident: Incident, actor, acknowledged_at: datetime | None = None,
                                    note: str = "", source_url: str = "", is_pinned: bool = False,
                                    metadata: dict | None = None) -> TimelineEvent | None:
    """The acknowledgement itself; returns its timeline event, or None when an earlier one stands."""
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    present, now = clock.now_and_recorded()
    errors = FieldErrors()
    check_happened_at(errors, "acknowledged_at", acknowledged_at, required=False,
                      first_public_signal_at=incident.first_public_signal_at)
    check_text(errors, "note", note, max_length=20_000, required=False)
    errors.raise_if_any()
    happened = acknowledged_at or present
    if incident.acknowledged_at is not None and incident.acknowledged_at <= happened:
        return None
    # Bump the stored version, not ours: a stale copy must not move the version backwards and
    # so let an even older copy win a later compare-and-set.
    updated = Incident.objects.filter(
        Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gt=happened), pk=incident.pk,
    ).update(acknowledged_at=happened, acknowledged_recorded_at=now, version=F("version") + 1, updated_at=now)
    if updated != 1:
        # Lost the race to a colleague with an earlier time: their acknowledgement stands, ours adds nothing.
        incident.refresh_from_db()
        return None
    earlier = incident.acknowledged_at
    incident.acknowledged_at, incident.acknowledged_recorded_at = happened, now
    incident.version += 1
    # What the person wrote stands as written; without it the desk says it, in the reader's language.
    said = None if note.strip() else line("incident.acknowledged")
    event = timeline_event_append(incident=incident, kind=EventKind.ACKNOWLEDGEMENT, actor=actor,
                                  body=note.strip(), line=said,
                                  occurred_at=happened, source_url=source_url, is_pinned=is_pinned,
                                  metadata={**(metadata or {}), "acknowledged": True,
                                            **({"replaces": earlier.isoformat()} if earlier else {})})
    audit_record(organization=incident.organization, actor=actor, action="incident.acknowledge", obj=incident,
                 changes={"acknowledged_at": happened.isoformat()})
    from crisis.playbooks.satisfaction import deadlines_satisfy_by_acknowledgement

    deadlines_satisfy_by_acknowledgement(incident=incident, event=event, actor=actor)
    return event


@transaction.atomic
def incident_change_severity(*, incident: Incident, actor, severity: int, reason: str = "") -> Incident:
    membership_require(user=actor, organization=incident.organization, role=Role.COMMANDER)
    errors = FieldErrors()
    check_choice(errors, "severity", severity, Severity)
    errors.raise_if_any()
    old = incident.severity
    if old == severity:
        return incident
    _compare_and_set(incident, expected={"severity": old}, changes={"severity": severity})
    body = line("incident.severity_changed", a=msgid(Severity(old).label), b=msgid(Severity(severity).label))
    timeline_event_append(incident=incident, kind=EventKind.SEVERITY_CHANGE, actor=actor,
                          line=lines(body, reason.strip()), metadata={"from": old, "to": severity}, is_pinned=True)
    audit_record(organization=incident.organization, actor=actor, action="incident.change_severity", obj=incident,
                 changes={"from": old, "to": severity, "reason": reason})
    from crisis.playbooks.instantiate import incident_playbook_reschedule

    incident_playbook_reschedule(incident=incident, reason=body)
    return incident


EDITABLE_DETAILS = ("title", "summary", "commander", "spokesperson", "affected_channels", "tags", "time_zone",
                    "first_public_signal_at")


@transaction.atomic
def incident_update_details(*, incident: Incident, actor, expected_version: int | None = None, **fields) -> Incident:
    """Edit descriptive fields. Re-dating the first public signal moves every deadline with it."""
    membership_require(user=actor, organization=incident.organization, role=Role.COMMANDER)
    unknown = set(fields) - set(EDITABLE_DETAILS)
    if unknown:
        raise InvalidInput(_("These fields cannot be edited here: %(f)s.") % {"f": ", ".join(sorted(unknown))},
                           fields={name: [_("Not editable.")] for name in unknown})
    if expected_version is not None and expected_version != incident.version:
        raise ConcurrentUpdate(_("Somebody else changed this incident first; reload and try again."),
                               field="version")
    errors = FieldErrors()
    if "title" in fields:
        check_text(errors, "title", fields["title"], max_length=300)
    if "summary" in fields:
        check_text(errors, "summary", fields["summary"], max_length=20_000, required=False)
    if "first_public_signal_at" in fields:
        check_moment(errors, "first_public_signal_at", fields["first_public_signal_at"])
        if not errors.fields and fields["first_public_signal_at"] > incident.detected_at:
            errors.add("first_public_signal_at", _("The first public signal cannot come after detection."))
    _check_people(errors, incident.organization, commander=fields.get("commander"),
                  spokesperson=fields.get("spokesperson"))
    _check_lists(errors, affected_channels=fields.get("affected_channels", []), tags=fields.get("tags", []))
    if "time_zone" in fields:
        _check_zone(errors, fields["time_zone"])
    errors.raise_if_any()
    if isinstance(fields.get("title"), str):
        fields["title"] = fields["title"].strip()
    changes = {k: v for k, v in fields.items() if getattr(incident, k) != v}
    if not changes:
        return incident
    _compare_and_set(incident, expected={}, changes=changes)
    described = {k: (v.pk if hasattr(v, "pk") else v.isoformat() if isinstance(v, datetime) else v)
                 for k, v in changes.items()}
    timeline_event_append(incident=incident, kind=EventKind.NOTE, actor=actor,
                          line=line("incident.details_changed", f=", ".join(sorted(changes))),
                          metadata={"changes": described})
    audit_record(organization=incident.organization, actor=actor, action="incident.update", obj=incident,
                 changes=described)
    if "first_public_signal_at" in changes:
        from crisis.playbooks.instantiate import incident_playbook_reschedule

        incident_playbook_reschedule(incident=incident, reason=line("incident.signal_redated"))
    return incident
