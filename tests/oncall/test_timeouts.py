"""Every transport gives up on a receiver within its bounds: a short connect timeout for a host that does not
answer at all, a read timeout for one that connects and then says nothing (real sockets, no mocks)."""

import socket

import pytest

from crisis.oncall.models import AttemptOutcome, ContactKind, Delivery, DeliveryAttempt, DeliveryStatus
from crisis.oncall.services.pages import page_trigger
from crisis.oncall.services.sending import delivery_attempt

from .factories import ContactMethodFactory
from .receiver import HOLD

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_timeouts(settings):
    settings.GOLDEN_HOURS_DELIVERY_CONNECT_TIMEOUT = 0.2
    settings.GOLDEN_HOURS_WEBHOOK_TIMEOUT = 0.2
    settings.GOLDEN_HOURS_CHAT_TIMEOUT = 0.2
    settings.GOLDEN_HOURS_EMAIL_TIMEOUT = 0.2


@pytest.fixture
def unreachable_port():
    """A port whose listen queue is full: the kernel drops every further SYN, so connecting hangs, as it
    does to a host that is down behind a firewall."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    fillers = []
    for _ in range(8):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(server.getsockname())
        fillers.append(filler)
    yield server.getsockname()[1]
    for sock in [*fillers, server]:
        sock.close()


@pytest.fixture
def silent_port():
    """A port that accepts connections (the kernel completes them) and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def attempt_once(commanded_incident, people, short_timeouts):
    """Page the approver, whose one contact method is made from ``contact``; one attempt; its record."""
    def _attempt(**contact) -> DeliveryAttempt:
        ContactMethodFactory(user=people["approver"], reaches_internal_network=True, **contact)
        page = page_trigger(incident=commanded_incident(), actor=people["responder"], title="Sign-off",
                            target_user=people["approver"])
        delivery = Delivery.objects.get(page=page)
        delivery_attempt(delivery_id=delivery.pk)
        return DeliveryAttempt.objects.get(delivery=delivery)
    return _attempt


@pytest.fixture
def smtp_at(settings):
    def _point(port: int) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    return _point


def test_it_gives_up_connecting_to_a_webhook_after_the_connect_timeout(attempt_once, unreachable_port):
    attempt = attempt_once(target=f"http://127.0.0.1:{unreachable_port}/hook")
    assert (attempt.outcome, attempt.error) == (AttemptOutcome.RETRYABLE,
                                                "Could not connect to the webhook within 0.2 s.")


def test_it_gives_up_on_a_webhook_that_connects_and_never_answers(attempt_once, receiver):
    receiver.then = HOLD  # holds the request until the test ends
    attempt = attempt_once(target=receiver.url)
    assert (attempt.outcome, attempt.error) == (AttemptOutcome.RETRYABLE, "The webhook did not answer within 0.2 s.")


def test_it_gives_up_connecting_to_a_mail_server_after_the_connect_timeout(attempt_once, smtp_at,
                                                                           unreachable_port):
    smtp_at(unreachable_port)
    attempt = attempt_once(kind=ContactKind.EMAIL, target="oncall@example.com", secret="")
    assert (attempt.outcome, attempt.error) == (AttemptOutcome.RETRYABLE,
                                                "Could not connect to the mail server within 0.2 s.")


def test_it_gives_up_on_a_mail_server_that_never_greets(attempt_once, smtp_at, silent_port):
    smtp_at(silent_port)  # Django's default EMAIL_TIMEOUT (None) would wait here forever
    attempt = attempt_once(kind=ContactKind.EMAIL, target="oncall@example.com", secret="")
    assert attempt.outcome == AttemptOutcome.RETRYABLE
    assert Delivery.objects.get().status == DeliveryStatus.RETRYING


def test_it_gives_chat_apps_its_own_read_timeout(attempt_once, receiver):
    receiver.then = HOLD
    attempt = attempt_once(kind=ContactKind.APPRISE, target=f"json://127.0.0.1:{receiver.server.server_port}/hook",
                           secret="")
    assert attempt.outcome == AttemptOutcome.RETRYABLE
    assert attempt.latency_ms < 4000  # apprise's own read timeout is 4 s; ours (0.2 s) was used
