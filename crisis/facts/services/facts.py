"""Changes to the fact sheet: add, edit (compare-and-set on the version) and retire a fact.

Each change writes the fact's row, a FactVersion (the sheet's history), one timeline event and one audit row.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import EventKind, Incident, Role
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import ConcurrentUpdate, InvalidTransition
from crisis.services.timeline import timeline_event_append
from crisis.services.validation import FieldErrors, check_happened_at, check_text
from crisis.system_lines import line

from .. import lines as _lines  # noqa: F401 (registers the fact sheet's timeline lines)
from ..models import Fact, FactVersion

TEXT_MAX = 500
REASON_MAX = 500


def _check(incident: Incident, *, text: str | None = None, established_at: datetime | None = None,
           reason: str | None = None) -> None:
    errors = FieldErrors()
    if text is not None:
        check_text(errors, "text", text, max_length=TEXT_MAX)
    if established_at is not None:
        check_happened_at(errors, "established_at", established_at,
                          first_public_signal_at=incident.first_public_signal_at)
    if reason is not None:
        check_text(errors, "reason", reason, max_length=REASON_MAX, required=False)
    errors.raise_if_any()


def _version_write(fact: Fact, *, actor, reason: str = "") -> FactVersion:
    return FactVersion.objects.create(fact=fact, number=fact.version, text=fact.text,
                                      established_at=fact.established_at, is_retired=fact.is_retired,
                                      reason=reason, author=actor if getattr(actor, "is_authenticated", False)
                                      else None, recorded_at=clock.recorded_now())


def _log(fact: Fact, *, actor, action: str, said: dict, occurred_at: datetime, changes: dict) -> None:
    timeline_event_append(incident=fact.incident, kind=EventKind.DECISION, actor=actor, line=said,
                          occurred_at=occurred_at, metadata={"fact_id": fact.pk, "version": fact.version})
    audit_record(organization=fact.incident.organization, actor=actor, action=f"fact.{action}", obj=fact,
                 changes=changes)


@transaction.atomic
def fact_add(*, incident: Incident, actor, text: str, established_at: datetime | None = None) -> Fact:
    """Put a fact on the sheet; ``established_at`` is when the brand came to stand behind it, if earlier."""
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    present, recorded = clock.now_and_recorded()
    _check(incident, text=text, established_at=established_at)
    established_at = established_at or present
    fact = Fact.objects.create(incident=incident, text=text.strip(), established_at=established_at,
                               created_by=actor if getattr(actor, "is_authenticated", False) else None,
                               created_at=recorded, updated_at=recorded)
    _version_write(fact, actor=actor)
    _log(fact, actor=actor, action="add", said=line("fact.added", text=fact.text), occurred_at=established_at,
         changes={"text": fact.text, "established_at": established_at.isoformat()})
    return fact


def _cas(fact: Fact, *, expected_version: int, changes: dict) -> None:
    """Compare-and-set on the version, and only on a live fact: a retired one is history."""
    if fact.is_retired:
        raise InvalidTransition(_("This fact is retired; add a new one instead."), field="version")
    updated = Fact.objects.filter(pk=fact.pk, version=expected_version, is_retired=False).update(
        version=F("version") + 1, updated_at=clock.recorded_now(), **changes)
    if updated != 1:
        raise ConcurrentUpdate(_("Somebody else changed this fact first; reload and try again."), field="version")
    fact.refresh_from_db()


@transaction.atomic
def fact_edit(*, fact: Fact, actor, expected_version: int, text: str | None = None,
              established_at: datetime | None = None) -> Fact:
    """New wording or a new time for a fact, if nobody changed it since ``expected_version`` was read."""
    incident = fact.incident
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    _check(incident, text=text, established_at=established_at)
    changes = {}
    if text is not None and text.strip() != fact.text:
        changes["text"] = text.strip()
    if established_at is not None and established_at != fact.established_at:
        changes["established_at"] = established_at
    if not changes and expected_version == fact.version and not fact.is_retired:
        return fact
    old = fact.text
    _cas(fact, expected_version=expected_version, changes=changes)
    _version_write(fact, actor=actor)
    _log(fact, actor=actor, action="edit", said=line("fact.edited", old=old, text=fact.text, n=fact.version),
         occurred_at=fact.established_at if "established_at" in changes else clock.now(),
         changes={k: v.isoformat() if isinstance(v, datetime) else v for k, v in changes.items()})
    return fact


@transaction.atomic
def fact_retire(*, fact: Fact, actor, expected_version: int, reason: str = "") -> Fact:
    """Take a fact off the sheet (it no longer holds, or was never right); its versions stay."""
    membership_require(user=actor, organization=fact.incident.organization, role=Role.RESPONDER)
    _check(fact.incident, reason=reason)
    _cas(fact, expected_version=expected_version, changes={"is_retired": True})
    _version_write(fact, actor=actor, reason=reason.strip())
    _log(fact, actor=actor, action="retire", said=line("fact.retired", text=fact.text, reason=reason.strip()),
         occurred_at=clock.now(), changes={"is_retired": True, "reason": reason.strip()})
    return fact
