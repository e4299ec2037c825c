from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crisis.models import Channel, Organization, Role, Severity
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import ConcurrentUpdate
from crisis.services.validation import FieldErrors, check_choice, check_text

from ..models import FreezeEntry, FreezePolicy

ENTRIES_MAX = 50
ACCOUNT_MAX, NOTE_MAX = 200, 500


def _check_entries(errors: FieldErrors, entries) -> list[dict]:
    if not isinstance(entries, list):
        errors.add("entries", _("Give a list."))
        return []
    if len(entries) > ENTRIES_MAX:
        errors.add("entries", _("At most %(n)d entries.") % {"n": ENTRIES_MAX})
        return []
    clean, seen = [], set()
    for n, entry in enumerate(entries):
        at = f"entries.{n}"
        if not isinstance(entry, dict):
            errors.add(at, _("Give a channel, an account or both."))
            continue
        channel, account, note = entry.get("channel") or "", entry.get("account") or "", entry.get("note") or ""
        if channel:
            check_choice(errors, f"{at}.channel", channel, Channel)
        check_text(errors, f"{at}.account", account, max_length=ACCOUNT_MAX, required=False)
        check_text(errors, f"{at}.note", note, max_length=NOTE_MAX, required=False)
        account = account.strip() if isinstance(account, str) else account
        if not channel and not account:
            errors.add(at, _("Give a channel, an account or both."))
        elif (channel, account) in seen:
            errors.add(at, _("This channel and account are already on the list."))
        seen.add((channel, account))
        clean.append({"channel": channel, "account": account,
                      "note": note.strip() if isinstance(note, str) else note})
    return clean


@transaction.atomic
def comms_freeze_set(*, organization: Organization, actor, severity_threshold: int, entries: list[dict],
                     expected_version: int | None = None) -> FreezePolicy:
    """Replace the organization's freeze list and threshold (an admin's edit). ``expected_version`` is the
    policy version the editor saw (0: none yet); somebody else's edit since then makes this lose."""
    membership_require(user=actor, organization=organization, role=Role.ADMIN)
    errors = FieldErrors()
    check_choice(errors, "severity_threshold", severity_threshold, Severity)
    clean = _check_entries(errors, entries)
    errors.raise_if_any()
    lost = _("Somebody else changed the freeze list first; reload and try again.")
    if expected_version is None:
        expected_version = FreezePolicy.objects.filter(organization=organization).values_list(
            "version", flat=True).first() or 0
    if expected_version == 0:
        try:
            with transaction.atomic():
                policy = FreezePolicy.objects.create(organization=organization, severity_threshold=severity_threshold,
                                                     updated_by=actor)
        except IntegrityError as exc:
            raise ConcurrentUpdate(lost, field="version") from exc
    else:
        updated = FreezePolicy.objects.filter(organization=organization, version=expected_version).update(
            version=expected_version + 1, severity_threshold=severity_threshold, updated_by=actor)
        if updated != 1:
            raise ConcurrentUpdate(lost, field="version")
        policy = FreezePolicy.objects.get(organization=organization)
    FreezeEntry.objects.filter(organization=organization).delete()
    FreezeEntry.objects.bulk_create([FreezeEntry(organization=organization, **entry) for entry in clean])
    # An organization-wide setting belongs to no incident's timeline: the audit log is its history.
    audit_record(organization=organization, actor=actor, action="comms.freeze_set", obj=policy,
                 changes={"severity_threshold": severity_threshold, "entries": clean, "version": policy.version})
    return policy
