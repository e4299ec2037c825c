"""Signed links: one-click acknowledgement (expiring) and calendar feeds (personal, revocable: calendar.py)."""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from crisis.services.errors import PermissionDenied

ACK_SALT = "crisis.oncall.ack"
CALENDAR_SALT = "crisis.oncall.calendar"


class AckLinkInvalid(PermissionDenied):
    code = "ack_link_invalid"


def ack_token(*, page_id: int, user_id: int) -> str:
    return signing.dumps({"p": page_id, "u": user_id}, salt=ACK_SALT, compress=True)


def ack_token_read(token: str) -> tuple[int, int]:
    """(page id, user id) from a link, or AckLinkInvalid saying whether it expired or was altered."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=settings.GOLDEN_HOURS_ACK_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise AckLinkInvalid(_("This acknowledge link has expired; open the page in the app instead.")) from exc
    except signing.BadSignature as exc:
        raise AckLinkInvalid(_("This acknowledge link is not valid.")) from exc
    return int(data["p"]), int(data["u"])


def ack_url(*, page_id: int, user_id: int) -> str:
    path = reverse("oncall:ack", kwargs={"token": ack_token(page_id=page_id, user_id=user_id)})
    return settings.GOLDEN_HOURS_BASE_URL.rstrip("/") + path


def calendar_token(*, kind: str, pk: int, user_id: int, secret: str) -> str:
    """A feed link made out to one person: it names them and carries their current CalendarSecret."""
    return signing.dumps({"k": kind, "id": pk, "u": user_id, "s": secret}, salt=CALENDAR_SALT, compress=True)


def calendar_token_read(token: str, *, kind: str) -> tuple[int, int, str]:
    """(feed id, user id, secret) from a link, or AckLinkInvalid. The caller checks the secret and the membership:
    a signature alone is forever, and links made out before links were personal carry neither."""
    try:
        data = signing.loads(token, salt=CALENDAR_SALT)
    except signing.BadSignature as exc:
        raise AckLinkInvalid(_("This calendar link is not valid.")) from exc
    if not isinstance(data, dict) or data.get("k") != kind or not {"id", "u", "s"} <= data.keys():
        raise AckLinkInvalid(_("This calendar link is not valid."))
    return int(data["id"]), int(data["u"]), str(data["s"])
