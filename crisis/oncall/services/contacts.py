"""People's own contact methods and quiet hours: add, change, remove, test.

Each person manages only their own; admins edit anyone's in the Django admin.
"""

import uuid
from datetime import time
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Membership, Severity
from crisis.models.zones import validate_time_zone
from crisis.services.audit import audit_record
from crisis.services.errors import InvalidInput, NotFound, PermissionDenied

from ..models import ContactKind, ContactMethod, ContactPreference, Delivery, DeliveryStatus, Page, PageSource
from ..transports import (
    address_is_private,
    apprise_host_is_private,
    apprise_named_host_is_private,
    apprise_scheme_is_unguarded,
)
from .deliveries import deliveries_send

CONTACT_FIELDS = ("kind", "label", "target", "secret", "position", "is_active", "reaches_internal_network")


@transaction.atomic
def contact_method_test(*, contact: ContactMethod, actor) -> Delivery:
    """Send a test message to exactly this contact method (no escalation, no incident)."""
    from ..links import ack_url

    membership = Membership.objects.filter(user=contact.user).select_related("organization").first()
    if membership is None or actor.pk != contact.user_id:
        raise PermissionDenied(_("You can only test your own contact methods."))
    now = clock.now()
    page = Page.objects.create(
        organization=membership.organization, incident=None, dedup_key=f"test:{uuid.uuid4()}",
        source=PageSource.TEST, title=_("Test notification"), severity=Severity.SEV4, triggered_at=now,
        target_user=contact.user, created_by=actor, step=0,
        body=_("If you can read this, Golden Hours can reach you here."),
    )
    delivery = Delivery.objects.create(
        page=page, user=contact.user, contact=contact, channel_key=str(contact.pk), kind=contact.kind, step=0,
        status=DeliveryStatus.QUEUED, idempotency_key=uuid.uuid4().hex, subject=page.title, body=page.body,
        ack_url=ack_url(page_id=page.pk, user_id=contact.user_id), next_attempt_at=now, created_at=now,
    )
    audit_record(organization=membership.organization, actor=actor, action="contact_method.test", obj=contact,
                 changes={"delivery": delivery.pk})
    transaction.on_commit(lambda: deliveries_send([delivery.pk]))
    return delivery


@transaction.atomic
def contact_method_add(*, user, actor, kind: str, target: str = "", label: str = "", secret: str = "",
                       position: int | None = None, is_active: bool = True) -> ContactMethod:
    _own_only(user_id=user.pk, actor=actor)
    if position is None:
        # Locks nothing: two adds at once may share a position, which only ties the display order.
        highest = ContactMethod.objects.filter(user=user).aggregate(highest=Max("position"))["highest"]
        position = 0 if highest is None else highest + 1
    contact = ContactMethod(user=user, kind=kind, label=label.strip(), position=position, is_active=is_active,
                            target=contact_target_check(kind=kind, target=target),
                            secret=secret if kind == ContactKind.WEBHOOK else "")
    _full_clean(contact)
    contact.save()
    _audit(user_id=user.pk, actor=actor, action="contact_method.add", obj=contact, changes=_changes({}, contact))
    return contact


@transaction.atomic
def contact_method_update(*, contact: ContactMethod, actor, kind: str, target: str, label: str, position: int,
                          is_active: bool, secret: str | None = None) -> ContactMethod:
    """``secret=None`` keeps the current signing secret (the page never shows it, so it cannot send it back)."""
    row = _locked(contact)
    _own_only(user_id=row.user_id, actor=actor)
    before = {name: getattr(row, name) for name in CONTACT_FIELDS}
    target = target.strip()
    # An address an admin set up (say, an on-premises receiver) stays usable when only the label changes;
    # a new or changed address must pass the self-service rules.
    if (kind, target) != (row.kind, row.target):
        target = contact_target_check(kind=kind, target=target)
        row.reaches_internal_network = False
    if kind != ContactKind.WEBHOOK:
        secret = ""
    row.kind, row.target, row.label, row.position, row.is_active = kind, target, label.strip(), position, is_active
    if secret is not None:
        row.secret = secret
    _full_clean(row)
    changes = _changes(before, row)
    if changes:
        row.save(update_fields=list(changes))
        _audit(user_id=row.user_id, actor=actor, action="contact_method.update", obj=row, changes=changes)
    return row


@transaction.atomic
def contact_method_remove(*, contact: ContactMethod, actor) -> None:
    row = _locked(contact)
    _own_only(user_id=row.user_id, actor=actor)
    # Written first: after delete() the row has no primary key left to point at.
    _audit(user_id=row.user_id, actor=actor, action="contact_method.remove", obj=row,
           changes={"kind": row.kind, "label": row.label, "target": contact_target_masked(kind=row.kind,
                                                                                          target=row.target)})
    row.delete()


@transaction.atomic
def contact_preference_set(*, user, actor, time_zone: str, quiet_start: time | None,
                           quiet_end: time | None) -> ContactPreference:
    """Quiet hours are both ends or neither: with one end missing the window would silently never apply."""
    _own_only(user_id=user.pk, actor=actor)
    if (quiet_start is None) != (quiet_end is None):
        field = "quiet_end" if quiet_end is None else "quiet_start"
        raise InvalidInput(_("Give both the start and the end of your quiet hours, or neither."), field=field)
    if quiet_start is not None and quiet_start == quiet_end:
        raise InvalidInput(_("Quiet hours must end at a different time than they start."), field="quiet_end")
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="time_zone") from exc
    preference, created = ContactPreference.objects.select_for_update().get_or_create(
        user=user, defaults={"time_zone": time_zone, "quiet_start": quiet_start, "quiet_end": quiet_end})
    before = {} if created else {"time_zone": preference.time_zone, "quiet_start": preference.quiet_start,
                                 "quiet_end": preference.quiet_end}
    preference.time_zone, preference.quiet_start, preference.quiet_end = time_zone, quiet_start, quiet_end
    after = {"time_zone": time_zone, "quiet_start": quiet_start, "quiet_end": quiet_end}
    changes = {name: [_plain(before.get(name)), _plain(value)] for name, value in after.items()
               if created or before[name] != value}
    if not created and changes:
        preference.save(update_fields=list(changes))
    if changes:
        _audit(user_id=user.pk, actor=actor, action="contact_preference.set", obj=preference, changes=changes)
    return preference


def contact_target_check(*, kind: str, target: str) -> str:
    """The address, tidied, if people may page themselves there; InvalidInput on ``target`` otherwise.

    Webhooks (and apprise's generic JSON/XML/form notifiers) must reach a public address: anyone can add one,
    and a private one would let them make the server call into the internal network. A chat app's address that
    names a host inside the network (ntfy://127.0.0.1, gotify://localhost, hassio://169.254.169.254, a mail
    server in ``smtp=``) is refused too. This is a courtesy, saying so when the address is saved; what protects
    the network is the egress guard every send passes (a name can be re-pointed after it was saved).
    """
    target = (target or "").strip()
    if kind not in ContactKind.values:
        raise InvalidInput(_("Choose a kind of contact method."), field="kind")
    if kind == ContactKind.CONSOLE:
        return ""
    if not target:
        raise InvalidInput(_("Give the address to send to."), field="target")
    if kind == ContactKind.EMAIL:
        _validate(EmailValidator(message=_("Enter a valid email address.")), target)
    elif kind == ContactKind.WEBHOOK:
        _validate(URLValidator(schemes=["http", "https"], message=_("Enter an http:// or https:// URL.")), target)
        _public_host_only(urlsplit(target).hostname)
    else:
        _apprise_check(target)
    return target


def contact_target_masked(*, kind: str, target: str) -> str:
    """What a page or the audit log may show of an address: webhook paths and chat-app URLs carry tokens."""
    if kind in (ContactKind.CONSOLE, ContactKind.EMAIL) or not target:
        return target
    parts = urlsplit(target)
    if kind == ContactKind.APPRISE or not parts.hostname:
        return f"{parts.scheme}://…" if parts.scheme else "…"
    port = f":{parts.port}" if parts.port else ""
    rest = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{parts.hostname}{port}{rest}"


def _apprise_check(target: str) -> None:
    import apprise

    plugin = apprise.Apprise.instantiate(target)
    if plugin is None:
        raise InvalidInput(_("This is not a chat-app address Golden Hours understands (for example slack://…, "
                             "dingtalk://…, wecombot://…)."), field="target")
    if apprise_scheme_is_unguarded(target):
        raise InvalidInput(_("Only an admin can set up this kind of chat address: Golden Hours cannot check where "
                             "it connects."), field="target")
    if apprise_host_is_private(target, plugin) or any(
            apprise_named_host_is_private(host) for host in (getattr(plugin, "host", None),
                                                              getattr(plugin, "smtp_host", None)) if host):
        _refuse_private_address()


def _public_host_only(host: str | None) -> None:
    if not host or address_is_private(host):
        _refuse_private_address()


def _refuse_private_address() -> None:
    raise InvalidInput(_("This address is private or cannot be found; it must be reachable on the internet. "
                         "An admin can set up a receiver on the internal network."), field="target")


def _validate(validator, value: str) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="target") from exc


def _full_clean(contact: ContactMethod) -> None:
    """The model's own rules (lengths, choices, the address constraint) as a domain error, never a 500."""
    try:
        contact.full_clean(exclude=["user"])
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], fields=exc.message_dict) from exc


def _own_only(*, user_id: int, actor) -> None:
    if actor is None or actor.pk != user_id:
        raise PermissionDenied(_("You can only change your own contact methods."))


def _locked(contact: ContactMethod) -> ContactMethod:
    row = ContactMethod.objects.select_for_update().filter(pk=contact.pk).first()
    if row is None:
        raise NotFound(_("This contact method has been removed."))
    return row


def _changes(before: dict, contact: ContactMethod) -> dict:
    """Old and new values, except credentials: the audit log records that they changed, never what to."""
    changes = {}
    for name in CONTACT_FIELDS:
        value = getattr(contact, name)
        if name in before and before[name] == value:
            continue
        if name == "secret":
            if before or value:
                changes[name] = "changed" if value else "cleared"
        elif name == "target":
            changes[name] = [contact_target_masked(kind=before.get("kind", contact.kind), target=before.get(name, "")),
                             contact_target_masked(kind=contact.kind, target=value)]
        else:
            changes[name] = [before.get(name), value]
    return changes


def _plain(value):
    return value.isoformat(timespec="minutes") if isinstance(value, time) else value


def _audit(*, user_id: int, actor, action: str, obj, changes: dict) -> None:
    """One row in each of the person's organizations: a change to how they are paged matters to all of them."""
    organizations = [m.organization for m in
                     Membership.objects.filter(user_id=user_id).select_related("organization").order_by("organization_id")]
    for organization in organizations or [None]:
        audit_record(organization=organization, actor=actor, action=action, obj=obj, changes=changes)
