"""People's contact methods: the "send me a test notification" action."""

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Membership, Severity
from crisis.services.audit import audit_record

from ..models import ContactMethod, Delivery, DeliveryStatus, Page, PageSource
from .deliveries import deliveries_send


@transaction.atomic
def contact_method_test(*, contact: ContactMethod, actor) -> Delivery:
    """Send a test message to exactly this contact method (no escalation, no incident)."""
    from ..links import ack_url

    membership = Membership.objects.filter(user=contact.user).select_related("organization").first()
    if membership is None or actor.pk != contact.user_id:
        from crisis.services.errors import PermissionDenied

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
