"""Where a page may be sent: only a receiver an admin marked as inside the network may be on a private address.
Everyone else's webhook, and every redirect, must reach a public address at the moment it is sent, not only when
it was saved, because a name that resolved publicly then can point at 127.0.0.1 now (DNS rebinding)."""

import pytest

from crisis.oncall import transports
from crisis.oncall.models import DeliveryStatus
from crisis.oncall.services.contacts import contact_method_update

from .factories import ContactMethodFactory
from .helpers import last_error
from .receiver import Receiver

pytestmark = pytest.mark.django_db

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_outbound_proxy(monkeypatch, settings):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 2.0


@pytest.fixture
def lookups_say_public(monkeypatch):
    """Every name looks public to a lookup made before connecting, as a rebinding name does to its checker."""
    monkeypatch.setattr(transports, "address_is_private", lambda host: False)


@pytest.fixture
def other_receiver():
    server = Receiver().start()
    yield server
    server.stop()


def port_of(receiver: Receiver) -> int:
    return receiver.server.server_address[1]


def test_it_refuses_a_personal_webhook_whose_name_now_leads_inside_even_when_a_lookup_says_public(
        send_page, receiver, lookups_say_public):
    delivery = send_page(target=f"http://localhost:{port_of(receiver)}/hook")
    assert (delivery.status, receiver.requests) == (DeliveryStatus.FAILED, [])
    assert "inside the network" in last_error(delivery)


def test_it_refuses_an_https_webhook_that_leads_inside_before_the_tls_handshake(send_page, receiver,
                                                                               lookups_say_public):
    delivery = send_page(target=f"https://localhost:{port_of(receiver)}/hook")
    assert (delivery.status, receiver.requests) == (DeliveryStatus.FAILED, [])
    assert "inside the network" in last_error(delivery)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST.", "169.254.169.254"])
def test_it_refuses_a_personal_webhook_inside_the_network_before_connecting(send_page, receiver, connects, host,
                                                                            lookups_say_public, systemd_resolved):
    """Not even a TCP handshake: a service inside the network learns nothing, and nobody learns whether it is there."""
    delivery = send_page(target=f"http://{host}:{port_of(receiver)}/hook")
    assert (delivery.status, receiver.requests, connects) == (DeliveryStatus.FAILED, [], [])
    assert "inside the network" in last_error(delivery)


def test_it_sends_to_a_receiver_an_admin_marked_as_inside_the_network(send_page, receiver):
    delivery = send_page(target=f"http://localhost:{port_of(receiver)}/hook", reaches_internal_network=True)
    assert (delivery.status, len(receiver.requests)) == (DeliveryStatus.SENT, 1)


def test_it_does_not_follow_an_internal_receivers_redirect_to_a_name_that_leads_inside(
        send_page, receiver, other_receiver, lookups_say_public):
    receiver.then = (307, f"http://localhost:{port_of(other_receiver)}/elsewhere")
    delivery = send_page(target=receiver.url, reaches_internal_network=True)
    assert (delivery.status, len(receiver.requests), other_receiver.requests) == (DeliveryStatus.FAILED, 1, [])
    assert "redirected" in last_error(delivery)


def test_it_checks_the_destination_name_when_an_outbound_proxy_carries_the_request(
        send_page, receiver, monkeypatch):
    """Through a proxy the socket reaches the proxy (private here, as most are), so the name is what can be checked."""
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{port_of(receiver)}")
    monkeypatch.setattr(transports, "address_is_private", lambda host: host != "hooks.example.com")
    public = send_page(target="http://hooks.example.com/hook")
    assert (public.status, len(receiver.requests)) == (DeliveryStatus.SENT, 1)
    inside = send_page(to="viewer", target="http://intranet.example.com/hook")
    assert (inside.status, len(receiver.requests)) == (DeliveryStatus.FAILED, 1)


def test_it_refuses_an_apprise_json_address_that_now_leads_inside(send_page, receiver):
    target = f"json://localhost:{port_of(receiver)}/hook"
    refused = send_page(kind="apprise", target=target, secret="")
    assert (refused.status, receiver.requests) == (DeliveryStatus.FAILED, [])
    allowed = send_page(to="viewer", kind="apprise", target=target, secret="", reaches_internal_network=True)
    assert (allowed.status, len(receiver.requests)) == (DeliveryStatus.SENT, 1)


def test_it_stops_trusting_the_internal_network_when_the_owner_changes_the_address(people):
    me = people["approver"]
    contact = ContactMethodFactory(user=me, target="http://10.1.2.3/hook", label="On-prem",
                                   reaches_internal_network=True)
    contact_method_update(contact=contact, actor=me, kind="webhook", target="http://10.1.2.3/hook", label="Renamed",
                          position=0, is_active=True)
    contact.refresh_from_db()
    assert contact.reaches_internal_network is True
    contact_method_update(contact=contact, actor=me, kind="webhook", target="https://1.1.1.1/hook", label="Renamed",
                          position=0, is_active=True)
    contact.refresh_from_db()
    assert (contact.target, contact.reaches_internal_network) == ("https://1.1.1.1/hook", False)
