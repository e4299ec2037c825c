"""Chat apps (apprise) may not make the server call into its own network either, whatever the scheme: every
connection a plugin makes passes the same guard as webhooks, at the moment it is made. A chat-app address
anyone can save (ntfy, Gotify, Mattermost, Rocket.Chat, a mail server...) names a host of the sender's choosing,
so 127.0.0.1, localhost or the cloud metadata service would otherwise be reachable, and "Sent messages" would say
whether something listened there."""

import socket
import threading
import time

import pytest

from crisis import egress
from crisis.oncall.models import Delivery, DeliveryStatus
from crisis.oncall.services.contacts import contact_method_add
from crisis.services.errors import InvalidInput

from .helpers import last_error
from .receiver import Receiver

pytestmark = pytest.mark.django_db

REFUSED = "inside the network"

# Chat apps apprise sends to over plain HTTP at a host of the sender's choosing; {host} and {port} are filled in.
HTTP_SCHEMES = {
    "ntfy": "ntfy://{host}:{port}/pager-topic",
    "gotify": "gotify://{host}:{port}/tokenabcdefghij",
    "mmost": "mmost://{host}:{port}/tokenabcdefghijklmnopqrstu",
    "apprise": "apprise://{host}:{port}/apprise-token",
    "hassio": "hassio://{host}:{port}/accesstoken",
    "rocket": "rocket://abcdefghijk/lmnopqrstuvw@{host}:{port}/#general?mode=webhook",
    "ncloud": "ncloud://user:pass@{host}:{port}/admin",
    "bark": "bark://{host}:{port}/devicekey",
    "signal": "signal://{host}:{port}/+12345678901/+12345678902",
}


@pytest.fixture(autouse=True)
def no_outbound_proxy(monkeypatch, settings):
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    settings.GOLDEN_HOURS_CHAT_TIMEOUT = 2.0


@pytest.fixture
def send_page(send_page):
    """The shared one (conftest.py) with the approver's one contact method an apprise address, ``target``."""
    def _send(target: str, *, to="approver", **contact) -> Delivery:
        return send_page(to=to, kind="apprise", target=target, secret="", **contact)
    return _send


def port_of(receiver: Receiver) -> int:
    return receiver.server.server_address[1]


class Listener:
    """A bare TCP (or UDP) port on 127.0.0.1 that counts who reached it: mail and IRC speak no HTTP."""

    def __init__(self, kind: int = socket.SOCK_STREAM) -> None:
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.reached = 0
        if kind == socket.SOCK_STREAM:
            self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._count, args=(kind,), daemon=True)
        self.thread.start()

    def _count(self, kind: int) -> None:
        while not self.stopped.is_set():
            try:
                if kind == socket.SOCK_STREAM:
                    self.sock.accept()[0].close()  # hang up: enough to tell the sender someone is here
                else:
                    self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            self.reached += 1

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(1)
        self.sock.close()


@pytest.fixture
def tcp_listener():
    listener = Listener()
    yield listener
    listener.stop()


@pytest.fixture
def udp_listener():
    listener = Listener(socket.SOCK_DGRAM)
    yield listener
    listener.stop()


@pytest.mark.parametrize("scheme", sorted(HTTP_SCHEMES))
def test_it_refuses_a_chat_app_aimed_at_the_loopback_address(send_page, receiver, scheme):
    delivery = send_page(HTTP_SCHEMES[scheme].format(host="127.0.0.1", port=port_of(receiver)))
    assert (delivery.status, receiver.requests) == (DeliveryStatus.FAILED, [])
    assert REFUSED in last_error(delivery)


@pytest.mark.parametrize(("scheme", "host"), [("ntfy", "localhost"), ("gotify", "LOCALHOST."),
                                              ("bark", "2130706433"), ("mmost", "0.0.0.0")])
def test_it_refuses_a_name_or_spelling_that_leads_to_the_loopback_address(send_page, receiver, scheme, host,
                                                                          systemd_resolved):
    delivery = send_page(HTTP_SCHEMES[scheme].format(host=host, port=port_of(receiver)))
    assert (delivery.status, receiver.requests) == (DeliveryStatus.FAILED, [])
    assert REFUSED in last_error(delivery)


def test_it_refuses_the_cloud_metadata_address_before_connecting(send_page, connects):
    """Nothing listens there in a test; what matters is that no connection is even tried."""
    delivery = send_page("hassio://169.254.169.254:80/accesstoken")
    assert (delivery.status, connects) == (DeliveryStatus.FAILED, [])
    assert REFUSED in last_error(delivery)


def test_it_refuses_a_name_that_resolved_publicly_when_saved_and_leads_inside_when_sent(
        send_page, receiver, resolver, people):
    resolver["chat.example.com"] = "93.184.216.34"
    target = f"ntfy://chat.example.com:{port_of(receiver)}/pager-topic"
    contact_method_add(user=people["viewer"], actor=people["viewer"], kind="apprise", target=target)
    resolver["chat.example.com"] = "127.0.0.1"  # DNS rebinding: same name, new answer
    delivery = send_page(target)
    assert (delivery.status, receiver.requests) == (DeliveryStatus.FAILED, [])
    assert REFUSED in last_error(delivery)


def test_it_sends_to_a_public_address_through_the_guard(send_page, resolver, monkeypatch):
    """127.0.0.2 stands in for a public address (a test cannot listen on one); everything else is real."""
    public = Receiver(host="127.0.0.2").start()
    try:
        real_is_global = egress.is_global
        monkeypatch.setattr(egress, "is_global", lambda address: address == "127.0.0.2" or real_is_global(address))
        resolver["chat.example.com"] = "127.0.0.2"
        delivery = send_page(f"ntfy://chat.example.com:{port_of(public)}/pager-topic")
        assert (delivery.status, len(public.requests)) == (DeliveryStatus.SENT, 1)
    finally:
        public.stop()


def test_it_sends_to_a_chat_server_an_admin_marked_as_inside_the_network(send_page, receiver):
    delivery = send_page(HTTP_SCHEMES["ntfy"].format(host="127.0.0.1", port=port_of(receiver)),
                         reaches_internal_network=True)
    assert (delivery.status, len(receiver.requests)) == (DeliveryStatus.SENT, 1)


def test_it_refuses_a_mail_server_inside_the_network_whatever_the_address_says(send_page, tcp_listener):
    """mailto:// goes through smtplib, not requests, and names its server in a parameter of its own."""
    delivery = send_page(f"mailto://u:p@example.com:{tcp_listener.port}"
                         f"?smtp=127.0.0.1&from=me@example.com&to=you@example.com")
    assert (delivery.status, tcp_listener.reached) == (DeliveryStatus.FAILED, 0)
    assert REFUSED in last_error(delivery)


def test_it_refuses_an_irc_server_inside_the_network(send_page, tcp_listener):
    delivery = send_page(f"irc://pager@127.0.0.1:{tcp_listener.port}/#ops")
    assert (delivery.status, tcp_listener.reached) == (DeliveryStatus.FAILED, 0)
    assert REFUSED in last_error(delivery)


def test_it_refuses_a_syslog_datagram_to_an_address_inside_the_network(send_page, udp_listener):
    delivery = send_page(f"rsyslog://127.0.0.1:{udp_listener.port}")
    time.sleep(0.2)  # a datagram that was sent has arrived by now
    assert (delivery.status, udp_listener.reached) == (DeliveryStatus.FAILED, 0)
    assert REFUSED in last_error(delivery)


def test_it_leaves_connections_outside_a_send_alone(receiver):
    """The guard is scoped to a send: the rest of the process (the database, Redis) reaches its local services."""
    with egress.public_only_egress():
        pass
    sock = socket.create_connection(("127.0.0.1", port_of(receiver)), 1)
    sock.close()


@pytest.mark.parametrize("proxy_host", ["127.0.0.1", "localhost"])
def test_it_checks_the_destination_name_when_an_outbound_proxy_carries_the_message(
        send_page, receiver, resolver, monkeypatch, proxy_host):
    """Through a proxy the socket reaches the proxy (private here, as most are), so the name is what can be checked."""
    monkeypatch.setenv("http_proxy", f"http://{proxy_host}:{port_of(receiver)}")
    resolver["chat.example.com"] = "93.184.216.34"
    resolver["intranet.example.com"] = "10.0.0.5"
    public = send_page("ntfy://chat.example.com/pager-topic")
    assert (public.status, len(receiver.requests)) == (DeliveryStatus.SENT, 1)
    inside = send_page("ntfy://intranet.example.com/pager-topic", to="viewer")
    assert (inside.status, len(receiver.requests)) == (DeliveryStatus.FAILED, 1)
    assert REFUSED in last_error(inside)


@pytest.fixture
def xmpp_installed(monkeypatch):
    """apprise's XMPP plugin as if slixmpp were installed (it is not a dependency of ours)."""
    from apprise.plugins.xmpp.base import NotifyXMPP

    monkeypatch.setattr(NotifyXMPP, "enabled", True)


def test_it_refuses_xmpp_to_anyone_but_an_admin_because_it_connects_outside_the_guard(
        send_page, xmpp_installed, people, tcp_listener, resolver):
    """apprise's XMPP client connects from a thread of its own, which the send's scope does not reach."""
    resolver["chat.example.com"] = "93.184.216.34"
    with pytest.raises(InvalidInput) as refused:
        contact_method_add(user=people["viewer"], actor=people["viewer"], kind="apprise",
                           target="xmpp://user:pass@chat.example.com/you@example.com")
    assert list(refused.value.fields) == ["target"]
    delivery = send_page(f"xmpp://user:pass@127.0.0.1:{tcp_listener.port}/you@example.com")
    assert (delivery.status, tcp_listener.reached) == (DeliveryStatus.FAILED, 0)
    assert "admin" in last_error(delivery)
