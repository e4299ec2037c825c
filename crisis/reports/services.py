"""Every change to post-mortems, action items and report files. Same rules as ``crisis.services``:
keyword-only, one transaction, the caller's role checked, compare-and-set on ``version``, a
``TimelineEvent`` and an ``AuditEntry`` per change, side effects after commit.
"""

import logging
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import EventKind, Incident, Membership, Role
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import ConcurrentUpdate, InvalidInput
from crisis.services.timeline import timeline_event_append
from crisis.services.validation import FieldErrors, check_choice, check_happened_at, check_text
from crisis.system_lines import Message, joined, line, lowered, msgid

from .action_item_deadlines import action_item_deadline_sync
from .models import ActionItem, ActionItemStatus, PostMortem, ReportFile, ReportFormat, ReportStatus

logger = logging.getLogger(__name__)
SECTION_MAX = 50_000
TITLE_MAX = 300
DUE_ON_FIRST, DUE_ON_LAST = date(2000, 1, 1), date(2099, 12, 31)
# A task that started this long ago and never finished died with its worker; a redelivery may take over.
STALE_RUN = timedelta(minutes=10)


@transaction.atomic
def postmortem_update(*, incident: Incident, actor, expected_version: int, **sections: str) -> PostMortem:
    """Save the sections people write. ``expected_version`` is the version the editor loaded (0: none yet)."""
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    unknown = set(sections) - set(PostMortem.SECTIONS)
    if unknown:
        raise InvalidInput(_("Unknown sections: %(f)s.") % {"f": ", ".join(sorted(unknown))},
                           fields={name: [_("Unknown field.")] for name in unknown})
    errors = FieldErrors()
    for field, text in sections.items():
        check_text(errors, field, text, max_length=SECTION_MAX, required=False)
    errors.raise_if_any()
    postmortem, _created = PostMortem.objects.get_or_create(incident=incident, defaults={"version": 0})
    if postmortem.version != expected_version:
        raise ConcurrentUpdate(_("Somebody else saved the post-mortem first; reload and try again."),
                               field="version")
    changes = {f: t.strip() for f, t in sections.items() if getattr(postmortem, f) != t.strip()}
    if not changes:
        return postmortem
    now = clock.now()
    updated = PostMortem.objects.filter(pk=postmortem.pk, version=expected_version).update(
        version=expected_version + 1, updated_by=actor, updated_at=now, **changes)
    if updated != 1:
        raise ConcurrentUpdate(_("Somebody else saved the post-mortem first; reload and try again."),
                               field="version")
    postmortem.refresh_from_db()
    names = joined([msgid(PostMortem._meta.get_field(f).verbose_name) for f in PostMortem.SECTIONS if f in changes])
    timeline_event_append(incident=incident, kind=EventKind.NOTE, actor=actor,
                          line=line("postmortem.edited", sections=names),
                          metadata={"postmortem_version": postmortem.version, "sections": sorted(changes)})
    audit_record(organization=incident.organization, actor=actor, action="postmortem.update", obj=postmortem,
                 changes={"sections": sorted(changes), "version": postmortem.version})
    return postmortem


def _check_item(errors: FieldErrors, incident: Incident, *, title=None, owner=None, due_on=None, status=None,
                fields: set[str]) -> None:
    if "title" in fields:
        check_text(errors, "title", title, max_length=TITLE_MAX)
    if "owner" in fields and owner is not None and not Membership.objects.filter(
            user=owner, organization=incident.organization).exists():
        errors.add("owner", _("This person is not a member of the organization."))
    if "due_on" in fields and due_on is not None and not isinstance(due_on, date):
        errors.add("due_on", _("Give a date."))
    elif "due_on" in fields and due_on is not None and not DUE_ON_FIRST <= due_on <= DUE_ON_LAST:
        # A due date becomes an engine deadline that pages its owner: year 1 or 9999 is a typo, not a plan.
        errors.add("due_on", _("Give a date between %(first)s and %(last)s.")
                   % {"first": DUE_ON_FIRST.isoformat(), "last": DUE_ON_LAST.isoformat()})
    if "status" in fields:
        check_choice(errors, "status", status, ActionItemStatus)


def _describe_item(item: ActionItem) -> Message:
    owner = (item.owner.get_full_name() or item.owner.get_username()) if item.owner else line("action_item.nobody")
    due = item.due_on.isoformat() if item.due_on else line("action_item.no_date")
    status = ActionItemStatus(item.status)
    # "Open" is marked with a context (an open incident is another word in Chinese).
    context = "action item status" if status == ActionItemStatus.OPEN else None
    return line("action_item.described", title=item.title, owner=owner, due=due,
                status=lowered(status.label, context))


@transaction.atomic
def action_item_create(*, incident: Incident, actor, title: str, owner=None, due_on: date | None = None) -> ActionItem:
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    errors = FieldErrors()
    _check_item(errors, incident, title=title, owner=owner, due_on=due_on, fields={"title", "owner", "due_on"})
    errors.raise_if_any()
    item = ActionItem.objects.create(incident=incident, title=title.strip(), owner=owner, due_on=due_on,
                                     created_by=actor, created_at=clock.now())
    timeline_event_append(incident=incident, kind=EventKind.ACTION, actor=actor,
                          line=line("action_item.added", item=_describe_item(item)),
                          metadata={"action_item_id": item.pk})
    audit_record(organization=incident.organization, actor=actor, action="action_item.create", obj=item,
                 changes={"title": item.title, "owner": owner and owner.pk,
                          "due_on": due_on and due_on.isoformat()})
    action_item_deadline_sync(item=item, actor=actor)
    return item


EDITABLE_ITEM_FIELDS = ("title", "owner", "due_on", "status")


@transaction.atomic
def action_item_update(*, item: ActionItem, actor, expected_version: int, completed_at: datetime | None = None,
                       **fields) -> ActionItem:
    """Change an item's title, owner, due date or status, only if nobody changed it since it was loaded.

    ``completed_at`` says when an item marked done was in fact done, if that was earlier (it is judged
    against its due date on that time); it defaults to now."""
    incident = item.incident
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    unknown = set(fields) - set(EDITABLE_ITEM_FIELDS)
    if unknown:
        raise InvalidInput(_("These fields cannot be edited here: %(f)s.") % {"f": ", ".join(sorted(unknown))},
                           fields={name: [_("Not editable.")] for name in unknown})
    errors = FieldErrors()
    _check_item(errors, incident, fields=set(fields), **fields)
    if completed_at is not None:
        check_happened_at(errors, "completed_at", completed_at, first_public_signal_at=incident.first_public_signal_at)
        if fields.get("status") != ActionItemStatus.DONE:
            errors.add("completed_at", _("Only an item marked done has a completion time."))
    errors.raise_if_any()
    if "title" in fields:
        fields["title"] = fields["title"].strip()
    changes = {k: v for k, v in fields.items() if getattr(item, k) != v}
    if not changes and expected_version == item.version:
        return item
    if "status" in changes:
        is_closed = changes["status"] in (ActionItemStatus.DONE, ActionItemStatus.DROPPED)
        changes["completed_at"] = (completed_at or clock.now()) if is_closed else None
    updated = ActionItem.objects.filter(pk=item.pk, version=expected_version).update(
        version=F("version") + 1, **changes)
    if updated != 1:
        raise ConcurrentUpdate(_("Somebody else changed this action item first; reload and try again."),
                               field="version")
    item.refresh_from_db()
    timeline_event_append(incident=incident, kind=EventKind.ACTION, actor=actor,
                          line=line("action_item.changed", item=_describe_item(item)),
                          metadata={"action_item_id": item.pk, "changed": sorted(changes), "version": item.version})
    audit_record(organization=incident.organization, actor=actor, action="action_item.update", obj=item,
                 changes={k: (v.pk if hasattr(v, "pk") else v.isoformat() if hasattr(v, "isoformat") else v)
                          for k, v in changes.items()})
    action_item_deadline_sync(item=item, actor=actor)
    return item


@transaction.atomic
def report_request(*, incident: Incident, actor, format: str, language: str = "en") -> ReportFile:  # noqa: A002
    """Queue a report; the Celery task builds it after this transaction commits."""
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    errors = FieldErrors()
    check_choice(errors, "format", format, ReportFormat)
    errors.raise_if_any()
    last = ReportFile.objects.filter(incident=incident, format=format).aggregate(n=Max("number"))["n"] or 0
    try:
        with transaction.atomic():
            report = ReportFile.objects.create(incident=incident, format=format, number=last + 1, language=language,
                                               requested_by=actor, requested_at=clock.now())
    except IntegrityError as exc:
        raise ConcurrentUpdate(_("Somebody requested the same report at the same moment; reload.")) from exc
    audit_record(organization=incident.organization, actor=actor, action="report.request", obj=report,
                 changes={"format": format, "number": report.number})
    transaction.on_commit(lambda: _send(report.pk))
    return report


def _send(report_id: int) -> None:
    from django.conf import settings

    if not getattr(settings, "GOLDEN_HOURS_SEND_TIMERS", True):
        return
    from .tasks import report_generate

    try:
        report_generate.delay(report_id)
    except Exception:  # noqa: BLE001 (a broker outage must not fail the request; "generate again" retries)
        logger.exception("could not queue report %s", report_id)


def report_claim(*, report_id: int) -> ReportFile | None:
    """Take the row for this run: queued, or running so long that its worker must have died."""
    now = clock.now()
    report = ReportFile.objects.filter(pk=report_id).first()
    if report is None or report.is_finished:
        return None
    if report.status == ReportStatus.RUNNING and report.started_at and now - report.started_at < STALE_RUN:
        return None
    claimed = ReportFile.objects.filter(pk=report_id, status=report.status, attempt=report.attempt).update(
        status=ReportStatus.RUNNING, attempt=report.attempt + 1, started_at=now, progress=1)
    if claimed != 1:
        return None
    report.refresh_from_db()
    return report


def report_progress(*, report: ReportFile, percent: int) -> None:
    # Outside any transaction, so the page polling for progress sees it at once.
    ReportFile.objects.filter(pk=report.pk, attempt=report.attempt, status=ReportStatus.RUNNING).update(
        progress=min(max(percent, 0), 99))


def report_build(*, report_id: int) -> ReportFile | None:
    """Assemble and render one queued report and store it; the previous file of that format is removed.

    Idempotent: a duplicate or late delivery finds the row finished (or freshly claimed) and does nothing.
    """
    from django.core.files.base import ContentFile
    from django.utils import translation

    from .assembly import report_assemble
    from .renderers import RENDERERS

    report = report_claim(report_id=report_id)
    if report is None:
        return None
    try:
        with translation.override(report.language):
            data = report_assemble(incident=report.incident,
                                   progress=lambda p: report_progress(report=report, percent=p))
            content = RENDERERS[report.format](data)
        report_progress(report=report, percent=95)
        payload = content if isinstance(content, bytes) else content.encode("utf-8")
    except Exception as exc:
        ReportFile.objects.filter(pk=report.pk, attempt=report.attempt).update(
            status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=clock.now())
        logger.exception("report %s failed", report.pk)
        raise
    name = f"incident-{report.incident_id}-postmortem-v{report.number}.{report.format}"
    report.file.save(name, ContentFile(payload), save=False)
    with transaction.atomic():
        finished = ReportFile.objects.filter(pk=report.pk, attempt=report.attempt, status=ReportStatus.RUNNING).update(
            status=ReportStatus.DONE, progress=100, file=report.file.name, size=len(payload), finished_at=clock.now())
        if finished != 1:
            # Another run took over meanwhile; it will store its own file.
            report.file.delete(save=False)
            return None
        older = list(ReportFile.objects.filter(incident=report.incident_id, format=report.format,
                                               status=ReportStatus.DONE, number__lt=report.number))
        for old in older:
            old.file.delete(save=False)
        ReportFile.objects.filter(pk__in=[o.pk for o in older]).delete()
    report.refresh_from_db()
    return report
