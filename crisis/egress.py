"""The one guard every outbound connection the server makes on its own (a page, a dead-man's-switch ping) passes:
no one may make the server call into its own network.

A name is resolved, every address it resolves to is checked, and the socket connects to the address that was
checked (pinned): a name that resolved publicly when the contact was saved, or a moment ago, can resolve to
127.0.0.1 now (DNS rebinding), so only the check made at connect time counts.

Webhooks call ``create_connection`` themselves. Chat apps go through apprise, whose plugins open connections in
ways of their own (requests/urllib3, smtplib, plain sockets, UDP); rather than parse each plugin's URL, a send runs
inside ``public_only_egress()``, and while that scope is active in the current context every connection the
plugin makes passes the same check, whatever the scheme: ``socket.create_connection`` and urllib3's own are
replaced by ``create_connection``, and ``socket.socket.connect``/``connect_ex``/``sendto`` check the peer as a last
line for code that opens sockets itself. Outside the scope (the database, Redis, everything else in the process)
nothing changes: the scope is a context variable, so it covers only the sending thread and what it hands its own
context to (apprise's worker pool does).
"""

import contextlib
import contextvars
import ipaddress
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit


class PrivatePeer(OSError):
    """The connection would reach an address inside the network."""


# IPv6 ranges that carry an IPv4 address a gateway may deliver to: NAT64 and the old IPv4-compatible form.
_EMBEDDING_IPV4 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))


def is_global(address: str) -> bool:
    """Only a publicly routable address: loopback, private, link-local (169.254.169.254, the cloud metadata
    service), carrier-grade NAT, documentation and reserved ranges are not, nor an IPv6 address that carries one
    of those (::ffff:127.0.0.1, 6to4, NAT64). An IPv6 peer may carry "%scope"."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if not ip.is_global:
        return False
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and any(ip in network for network in _EMBEDDING_IPV4):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        return embedded is None or embedded.is_global
    return True


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def resolve_public(host: str, port, family: int = 0, type: int = socket.SOCK_STREAM) -> list[tuple]:
    """``getaddrinfo`` for a peer that must be public: PrivatePeer unless every address the name resolves to is
    global (a name with one private address among public ones could be made to use it). A name that cannot be
    resolved raises socket.gaierror, as a lookup would: a failing resolver is worth another try later."""
    infos = socket.getaddrinfo(host, port, family, type)
    inside = sorted({info[4][0] for info in infos if not is_global(info[4][0])})
    if not infos or inside:
        raise PrivatePeer(f"{host}: {', '.join(inside)}")
    return infos


def address_is_private(host: str) -> bool:
    """True if any address ``host`` resolves to is not public, or if it cannot be resolved (cannot tell: refuse)."""
    try:
        resolve_public(host, None)
    except OSError:  # PrivatePeer, or the name cannot be resolved
        return True
    return False


def create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None, *,
                      public_only: bool = True, socket_options=None, **_ignored) -> socket.socket:
    """``socket.create_connection`` that, with ``public_only``, checks every address first and connects only to
    those checked. ``socket_options`` is urllib3's spelling (its own create_connection takes them)."""
    host, port = address[0], address[1]
    if host.startswith("["):
        host = host.strip("[]")  # urllib3 may pass an IPv6 literal in brackets
    infos = resolve_public(host, port) if public_only else socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        sock = None
        try:
            sock = socket.socket(family, kind, proto)
            for option in socket_options or ():
                sock.setsockopt(*option)
            if timeout is None or isinstance(timeout, int | float):  # else a "no timeout given" sentinel
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)  # the checked address itself, never the name again
            return sock
        except OSError as exc:
            error = exc
            if sock is not None:
                sock.close()
    raise error or OSError(f"{host}: no address to connect to")


@dataclass
class EgressScope:
    """What a send inside ``public_only_egress()`` was refused: apprise swallows errors, so the transport asks."""
    refused: list[str] = field(default_factory=list)

    def refuse(self, peer: str) -> PrivatePeer:
        self.refused.append(peer)
        return PrivatePeer(peer)


_scope: contextvars.ContextVar[EgressScope | None] = contextvars.ContextVar("golden_hours_egress", default=None)
# The outbound proxy (scheme://host:port) a request whose destination name was checked may connect to.
_checked_proxy: contextvars.ContextVar[str | None] = contextvars.ContextVar("golden_hours_egress_proxy",
                                                                            default=None)
_install_lock = threading.Lock()
_is_installed = False


@contextlib.contextmanager
def public_only_egress() -> Iterator[EgressScope]:
    """Every connection made in this context (this thread, and work handed this context) must reach a public
    address; a refused one raises PrivatePeer (an OSError, so libraries treat it as a failed connection)."""
    _install()
    scope = EgressScope()
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def _guarded_create_connection(original):
    def create(address, *args, **kwargs):
        scope = _scope.get()
        if scope is None or _is_checked_proxy(address):
            return original(address, *args, **kwargs)
        try:
            return create_connection(address, *args, public_only=True, **kwargs)
        except PrivatePeer as exc:
            raise scope.refuse(str(exc)) from exc
    return create


def _is_checked_proxy(address) -> bool:
    proxy = _checked_proxy.get()
    if proxy is None:
        return False
    parts = urlsplit(proxy)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if address[1] != port:
        return False
    if address[0] == parts.hostname:
        return True
    try:  # the socket connects to the proxy's address, not its name
        return address[0] in {info[4][0] for info in socket.getaddrinfo(parts.hostname, port)}
    except OSError:
        return False


def _guarded_send(send):
    """requests' HTTPAdapter.send: through an outbound proxy the socket reaches the proxy, which resolves the
    destination itself, so the destination's name is what can be checked (as for webhooks), and only then may
    the connection to the proxy be made."""
    def guarded(adapter, request, *args, **kwargs):
        import requests

        scope = _scope.get()
        proxy = scope and requests.utils.select_proxy(request.url, kwargs.get("proxies") or {})
        if not proxy:
            return send(adapter, request, *args, **kwargs)
        host = urlsplit(request.url).hostname or ""
        if address_is_private(host):
            raise requests.exceptions.ConnectionError(scope.refuse(host), request=request)
        token = _checked_proxy.set(proxy if "://" in proxy else f"http://{proxy}")
        try:
            return send(adapter, request, *args, **kwargs)
        finally:
            _checked_proxy.reset(token)
    return guarded


def _checked_peer(sock: socket.socket, address):
    """The address to use instead of ``address``: the same one if public, the checked address for a name."""
    scope = _scope.get()
    if scope is None or (sock.family in (socket.AF_INET, socket.AF_INET6) and _is_checked_proxy(address)):
        return address
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        raise scope.refuse(f"{sock.family.name}: {address}")  # a Unix socket (a local bus, say) is inside too
    host, port = address[0], address[1]
    if _literal(host):
        if not is_global(host):
            raise scope.refuse(host)
        return address
    try:
        infos = resolve_public(host, port, sock.family, sock.type)
    except PrivatePeer as exc:
        raise scope.refuse(str(exc)) from exc
    return infos[0][4]


def _install() -> None:
    """Put the scoped checks in place, once per process; outside a scope each one is a context-variable read."""
    global _is_installed
    with _install_lock:
        if _is_installed:
            return
        import requests.adapters
        import urllib3.util.connection

        requests.adapters.HTTPAdapter.send = _guarded_send(requests.adapters.HTTPAdapter.send)
        socket.create_connection = _guarded_create_connection(socket.create_connection)
        urllib3.util.connection.create_connection = _guarded_create_connection(
            urllib3.util.connection.create_connection)

        connect, connect_ex, sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto

        def guarded_connect(self, address):
            return connect(self, _checked_peer(self, address))

        def guarded_connect_ex(self, address):
            return connect_ex(self, _checked_peer(self, address))

        def guarded_sendto(self, data, *args):
            *flags, address = args  # sendto(data, address) or sendto(data, flags, address)
            return sendto(self, data, *flags, _checked_peer(self, address))

        socket.socket.connect = guarded_connect
        socket.socket.connect_ex = guarded_connect_ex
        socket.socket.sendto = guarded_sendto
        _is_installed = True
