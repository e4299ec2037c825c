"""The outside dead-man's switch: a healthy engine pings a URL (a healthchecks.io check, a cron monitor) every
GOLDEN_HOURS_DEADMAN_EVERY seconds; when the pings stop, that service pages someone. It is the one watcher that
does not run on our servers, so it also notices the whole machine going away."""

import logging
from urllib.parse import urlsplit

import requests

from .conf import flag, setting

logger = logging.getLogger(__name__)


class DeadmanRefused(OSError):
    """The ping URL points inside the network and GOLDEN_HOURS_DEADMAN_INTERNAL does not allow it."""


def deadman_every() -> float:
    return setting("GOLDEN_HOURS_DEADMAN_EVERY")


def deadman_ping() -> bool:
    """One GET to the configured URL; False when none is configured. Raises when the ping fails."""
    url = setting("GOLDEN_HOURS_DEADMAN_URL")
    if not url:
        return False
    host = urlsplit(url).hostname or ""
    # The project's egress rule (crisis/egress.py, docs/security.md): nothing the server sends reaches the
    # internal network unless an admin said so. The URL comes from the operator's environment, so the operator
    # says so with GOLDEN_HOURS_DEADMAN_INTERNAL (a monitor on the same network).
    if not flag("GOLDEN_HOURS_DEADMAN_INTERNAL"):
        from crisis.egress import address_is_private

        if address_is_private(host):
            raise DeadmanRefused(f"{host} is inside the network; set GOLDEN_HOURS_DEADMAN_INTERNAL=1 to allow it")
    response = requests.get(url, timeout=setting("GOLDEN_HOURS_DEADMAN_TIMEOUT"), allow_redirects=False)
    response.raise_for_status()
    logger.debug("dead-man's switch pinged (%s)", response.status_code)
    return True
