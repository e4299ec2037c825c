"""Transports: one small class per channel. ``notify`` returns a result or raises TransportError,
whose ``permanent`` flag says whether trying again could help (healthchecks' shape)."""

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import math
import smtplib
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.utils.translation import gettext as _

from crisis.egress import PrivatePeer, address_is_private, create_connection, is_global, public_only_egress

from .models import ContactKind, Delivery, Page

logger = logging.getLogger("crisis.oncall.console")

SIGNATURE_HEADER = "X-Golden-Hours-Signature"
TIMESTAMP_HEADER = "X-Golden-Hours-Timestamp"
MAX_REDIRECTS = 3
# apprise's generic notifiers POST to any host they are given: a webhook by another name.
APPRISE_ANY_HOST_SCHEMES = {"json", "jsons", "xml", "xmls", "form", "forms"}
# apprise plugins that connect from threads of their own, where the egress guard's scope (a context variable)
# does not follow: only an admin may set one up, for a server they vouch for.
APPRISE_UNGUARDED_SCHEMES = {"xmpp", "xmpps"}


def apprise_scheme_is_unguarded(target: str) -> bool:
    return urlsplit(target).scheme.lower() in APPRISE_UNGUARDED_SCHEMES


class TransportError(Exception):
    def __init__(self, message: str, *, permanent: bool = False, response_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.response_code = response_code


class ConnectTimedOut(TimeoutError):
    """No connection within the connect timeout: the receiver's host is down or unreachable."""


@dataclass(frozen=True)
class TransportResult:
    response_code: int | None = None
    detail: str = ""


class Transport:
    def notify(self, page: Page, delivery: Delivery) -> TransportResult:
        raise NotImplementedError


class ConsoleTransport(Transport):
    """Development outbox: the message is logged, and the delivery row is what the "sent messages" page lists."""

    def notify(self, page: Page, delivery: Delivery) -> TransportResult:
        logger.info("PAGE to %s: %s\n%s\n%s", delivery.user, delivery.subject, delivery.body, delivery.ack_url,
                    extra={"incident_id": page.incident_id, "deadline_id": page.deadline_id})
        return TransportResult(detail="console")


class _ConnectWithinTimeout(smtplib.SMTP):
    """smtplib uses one timeout for connecting and for every reply; connecting gets the short one."""

    def _get_socket(self, host, port, timeout):
        timeout = timeout if isinstance(timeout, int | float) else None  # else smtplib's "none given"
        connect_timeout = min(timeout or math.inf, settings.GOLDEN_HOURS_DELIVERY_CONNECT_TIMEOUT)
        try:
            sock = socket.create_connection((host, port), connect_timeout, self.source_address)
        except TimeoutError as exc:
            raise ConnectTimedOut(host) from exc
        sock.settimeout(timeout)
        return sock


class _ConnectWithinTimeoutSSL(smtplib.SMTP_SSL, _ConnectWithinTimeout):
    """SMTP_SSL wraps the socket its parent makes: ours, through the method resolution order."""


class _BoundedSMTPBackend(SMTPBackend):
    @property
    def connection_class(self):
        return _ConnectWithinTimeoutSSL if self.use_ssl else _ConnectWithinTimeout


def _mail_connection(timeout: float):
    """Django's mail backend, bounded: SMTP waits forever by default (EMAIL_TIMEOUT = None)."""
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        return _BoundedSMTPBackend(timeout=timeout)
    return get_connection(timeout=timeout)  # console, locmem, file...: nothing to wait for


class EmailTransport(Transport):
    def notify(self, page: Page, delivery: Delivery) -> TransportResult:
        body = f"{delivery.body}\n\n{_('Acknowledge')}: {delivery.ack_url}\n"
        timeout = settings.GOLDEN_HOURS_EMAIL_TIMEOUT
        try:
            send_mail(delivery.subject, body, None, [delivery.contact.target], fail_silently=False,
                      connection=_mail_connection(timeout))
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(_("The mail server refused the address."), permanent=True) from exc
        except ConnectTimedOut as exc:
            raise TransportError(_("Could not connect to the mail server within %(s).1f s.")
                                 % {"s": settings.GOLDEN_HOURS_DELIVERY_CONNECT_TIMEOUT}) from exc
        except TimeoutError as exc:
            raise TransportError(_("The mail server did not answer within %(s).1f s.") % {"s": timeout}) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(_("Could not reach the mail server: %(e)s") % {"e": exc}) from exc
        return TransportResult(detail="email")


def webhook_payload(page: Page, delivery: Delivery) -> dict:
    return {
        "type": "page",
        "page": {"id": page.pk, "title": page.title, "body": page.body, "severity": page.severity,
                 "state": page.state, "source": page.source, "incident_id": page.incident_id,
                 "step": delivery.step, "triggered_at": page.triggered_at.isoformat()},
        "delivery": {"id": delivery.pk, "idempotency_key": delivery.idempotency_key},
        "recipient": {"id": delivery.user_id, "username": delivery.user.get_username()},
        "ack_url": delivery.ack_url,
    }


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """sha256=HEX of HMAC-SHA256(secret, "<timestamp>.<body>"): the receiver recomputes it to trust the call."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def apprise_host_is_private(target: str, plugin) -> bool:
    """True for one of apprise's generic notifiers (json://, xml://, form://: a webhook by another name) aimed at
    an address that is not public or cannot be found. The chat apps' own schemes go to their fixed services."""
    if urlsplit(target).scheme.lower() not in APPRISE_ANY_HOST_SCHEMES:
        return False
    host = getattr(plugin, "host", None)
    return not host or address_is_private(host)


def apprise_named_host_is_private(host: str) -> bool:
    """True if a host an apprise address names is inside the network. Chat apps at fixed services carry a token
    where the host would be (slack://T000/B000/XXX): a token is neither a literal address nor a dotted name, and is
    never looked up, so that saving one sends no credential to the resolver."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True  # RFC 6761: always the loopback address, whatever a resolver says
    try:
        return not is_global(str(ipaddress.ip_address(name)))
    except ValueError:
        # Not an address in its usual spelling. Other spellings (2130706433 for 127.0.0.1) are left to the guard
        # when sending: Discord's and Telegram's tokens are numbers too.
        return "." in name and address_is_private(name)


def _connector(connect_timeout: float, *, public_only: bool):
    """A replacement for socket.create_connection: connect within ``connect_timeout``, then leave the socket
    with the connection's own timeout (the read timeout) for every answer.

    With ``public_only``, the egress guard refuses a peer inside the network before connecting, on the addresses
    the name resolves to now, and connects to the address it checked: a name that resolved to a public address
    when it was saved (or a moment ago) can answer with 127.0.0.1 now.
    """
    def connect(address, timeout=None, source_address=None, **kwargs) -> socket.socket:
        try:
            sock = create_connection(address, connect_timeout, source_address, public_only=public_only)
        except TimeoutError as exc:
            raise ConnectTimedOut(str(address[0])) from exc
        if isinstance(timeout, int | float):  # else urllib's "no timeout given": keep the connect timeout
            sock.settimeout(timeout)
        return sock
    return connect


def _bounded(connection_class, connect):
    def connection(*args, **kwargs):
        made = connection_class(*args, **kwargs)
        made._create_connection = connect
        return made
    return connection


class _BoundedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, connect) -> None:
        super().__init__()
        self.connect = connect

    def http_open(self, req):
        return self.do_open(_bounded(http.client.HTTPConnection, self.connect), req)


class _BoundedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, connect) -> None:
        super().__init__()
        self.connect = connect

    def https_open(self, req):
        return self.do_open(_bounded(http.client.HTTPSConnection, self.connect), req, context=self._context)


def _opener(connect_timeout: float, *, public_only: bool) -> urllib.request.OpenerDirector:
    connect = _connector(connect_timeout, public_only=public_only)
    return urllib.request.build_opener(_NoRedirect, _BoundedHTTPHandler(connect), _BoundedHTTPSHandler(connect))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # we follow redirects ourselves, after checking where they lead


def _redirect_refused(code: int) -> TransportError:
    return TransportError(_("The webhook redirected to a private or unknown address; not followed."),
                          permanent=True, response_code=code)


def _through_proxy(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(parts.hostname or "")


class WebhookTransport(Transport):
    """POST JSON with an Idempotency-Key (the same on every retry) and an HMAC signature.

    Only a contact method an admin marked as reaching the internal network may be on a private address; every
    other one, and every redirect, must reach a public address when it is sent, so nobody can make the server
    call into the internal network by saving a public name and re-pointing it, or by answering with a redirect.
    Through an outbound proxy the socket reaches the proxy, so the destination's name is checked instead.
    """

    def __init__(self, timeout: float | None = None, connect_timeout: float | None = None) -> None:
        # Two bounds, so that a receiver that hangs costs one attempt at most connect + read seconds per hop:
        # a short one to connect (a host that is down) and one for each answer (a receiver that stalls).
        self.timeout = timeout if timeout is not None else settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT
        self.connect_timeout = (connect_timeout if connect_timeout is not None
                                else settings.GOLDEN_HOURS_DELIVERY_CONNECT_TIMEOUT)
        self.opener = _opener(self.connect_timeout, public_only=False)
        self.public_opener = _opener(self.connect_timeout, public_only=True)

    def notify(self, page: Page, delivery: Delivery) -> TransportResult:
        body = json.dumps(webhook_payload(page, delivery), sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "GoldenHours-Paging/1",
            "Idempotency-Key": delivery.idempotency_key,
            TIMESTAMP_HEADER: timestamp,
        }
        if delivery.contact.secret:
            headers[SIGNATURE_HEADER] = webhook_signature(delivery.contact.secret, timestamp, body)
        url = delivery.contact.target
        redirected_from = None
        for _hop in range(MAX_REDIRECTS + 1):
            public_only = redirected_from is not None or not delivery.contact.reaches_internal_network
            try:
                code, location = self._post(url, body, headers, public_only=public_only)
            except PrivatePeer as exc:
                if redirected_from is None:
                    raise TransportError(_("This webhook's address is inside the network; only an admin can allow "
                                           "that. Not sent."), permanent=True) from exc
                raise _redirect_refused(redirected_from) from exc
            if location is None:
                return TransportResult(response_code=code)
            url, redirected_from = urljoin(url, location), code
            if urlsplit(url).scheme not in ("http", "https"):
                raise _redirect_refused(code)
        raise TransportError(_("Too many redirects."), permanent=True)

    def _post(self, url: str, body: bytes, headers: dict, *, public_only: bool) -> tuple[int, str | None]:
        opener = self.opener
        if public_only:
            if not _through_proxy(url):
                opener = self.public_opener
            elif address_is_private(urlsplit(url).hostname or ""):
                raise PrivatePeer(url)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return response.status, None
        except urllib.error.HTTPError as exc:
            exc.close()
            if 300 <= exc.code < 400 and exc.headers.get("Location"):
                return exc.code, exc.headers["Location"]
            retryable = exc.code in (408, 425, 429) or exc.code >= 500
            raise TransportError(_("The webhook answered %(code)d.") % {"code": exc.code},
                                 permanent=not retryable, response_code=exc.code) from exc
        except TimeoutError as exc:
            raise TransportError(_("The webhook did not answer within %(s).1f s.") % {"s": self.timeout}) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, PrivatePeer):
                raise exc.reason from exc
            if isinstance(exc.reason, ConnectTimedOut):
                raise TransportError(_("Could not connect to the webhook within %(s).1f s.")
                                     % {"s": self.connect_timeout}) from exc
            if isinstance(exc.reason, TimeoutError):
                raise TransportError(_("The webhook did not answer within %(s).1f s.") % {"s": self.timeout}) from exc
            raise TransportError(_("Could not reach the webhook: %(e)s") % {"e": exc.reason}) from exc
        except (ConnectionError, OSError) as exc:
            # The receiver dropped the connection (RemoteDisconnected, reset): worth another try.
            raise TransportError(_("Could not reach the webhook: %(e)s") % {"e": exc}) from exc


class AppriseTransport(Transport):
    """Slack, Microsoft Teams, DingTalk, WeCom, Feishu/Lark, Telegram... through one apprise URL each.

    apprise's plugins connect in ways of their own (requests, smtplib, plain sockets), to hosts the address names
    however each plugin reads it, so the send runs inside the egress guard rather than after a look at the URL:
    every connection it makes must reach a public address, unless an admin marked the contact method as reaching
    the internal network.
    """

    def notify(self, page: Page, delivery: Delivery) -> TransportResult:
        import apprise

        contact = delivery.contact
        plugin = apprise.Apprise.instantiate(contact.target)
        if plugin is None:
            raise TransportError(_("apprise does not understand this address."), permanent=True)
        if not contact.reaches_internal_network and apprise_scheme_is_unguarded(contact.target):
            raise TransportError(_("Only an admin can set up this kind of chat address. Not sent."), permanent=True)
        # apprise's own defaults are 4 s each; ours are the same settings every transport uses.
        plugin.socket_connect_timeout = settings.GOLDEN_HOURS_DELIVERY_CONNECT_TIMEOUT
        plugin.socket_read_timeout = settings.GOLDEN_HOURS_CHAT_TIMEOUT
        client = apprise.Apprise()
        client.add(plugin)
        text = f"{delivery.body}\n\n{_('Acknowledge')}: {delivery.ack_url}"
        guard = contextlib.nullcontext() if contact.reaches_internal_network else public_only_egress()
        with guard as scope:
            accepted = client.notify(title=delivery.subject, body=text)
        # apprise reports a refused connection as any other failure; the guard remembers that it refused.
        if scope is not None and scope.refused:
            raise TransportError(_("This address is inside the network; only an admin can allow that. Not sent."),
                                 permanent=True)
        if not accepted:
            raise TransportError(_("The chat service did not accept the message."))
        return TransportResult(detail="apprise")


TRANSPORTS: dict[str, type[Transport]] = {
    ContactKind.CONSOLE: ConsoleTransport,
    ContactKind.EMAIL: EmailTransport,
    ContactKind.WEBHOOK: WebhookTransport,
    ContactKind.APPRISE: AppriseTransport,
}


def transport_for(kind: str) -> Transport:
    return TRANSPORTS[kind]()
