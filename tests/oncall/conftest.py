import socket
import sys

import pytest

from crisis.oncall.models import Delivery, TargetKind
from crisis.oncall.services.pages import page_trigger
from crisis.oncall.services.sending import delivery_attempt
from tests.deadline_helpers import T0

from .factories import ContactMethodFactory, ScheduleFactory, policy_with, rotation_with
from .receiver import Receiver


@pytest.fixture
def schedule(org, people):
    """The responder is on call, every day, hand-off 09:00 Shanghai."""
    schedule = ScheduleFactory(organization=org, time_zone="Asia/Shanghai")
    rotation_with(schedule, [people["responder"]], starts_on=(T0.date().replace(day=1)))
    return schedule


@pytest.fixture
def policy(org, schedule):
    """On call first; the incident's commander five minutes later."""
    return policy_with(org, [
        {"target_kind": TargetKind.SCHEDULE, "schedule": schedule, "wait_seconds": 300},
        {"target_kind": TargetKind.INCIDENT_ROLE, "incident_role": "commander", "wait_seconds": 300},
    ])


@pytest.fixture
def commanded_incident(incident_at_t0, people):
    """An SEV2 incident whose first public signal was T0, commanded by people['commander']."""
    def _open(**kw):
        kw.setdefault("commander", people["commander"])
        return incident_at_t0(**kw)
    return _open


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


# Python announces every socket connect to audit hooks, from C, below anything a library could do: a hook cannot
# be removed, so one hook for the session records only while a test listens.
_connects: list | None = None


def _record_connects(event: str, args: tuple) -> None:
    if event == "socket.connect" and _connects is not None:
        _connects.append(args[1])


sys.addaudithook(_record_connects)


@pytest.fixture
def connects():
    """The addresses sockets connect to during the test, whoever connects them."""
    global _connects
    _connects = []
    yield _connects
    _connects = None


@pytest.fixture
def resolver(monkeypatch):
    """Names of our choosing resolve as we say (the real resolver for every other name): ``resolver["name"] = ip``."""
    answers: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if isinstance(host, str) and host.rstrip(".").lower() in answers:
            address = answers[host.rstrip(".").lower()]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))]
        return real(host, port, family, type, proto, flags)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture
def systemd_resolved(resolver):
    """Resolve "LOCALHOST." as systemd-resolved does (to the loopback address), where the probe reached it; glibc
    here reads /etc/hosts and finds no such name."""
    resolver["localhost"] = "127.0.0.1"
    return resolver


@pytest.fixture
def send_page(commanded_incident, people, at):
    """Page someone (the approver unless ``to`` says), whose one contact method is made by ``contact``; returns
    the delivery after one try."""
    def _send(to="approver", **contact) -> Delivery:
        ContactMethodFactory(user=people[to], **contact)
        page = page_trigger(incident=commanded_incident(), actor=people["responder"], title="Legal sign-off needed",
                            target_user=people[to])
        at(10)
        delivery = Delivery.objects.get(page=page)
        delivery_attempt(delivery_id=delivery.pk)
        return Delivery.objects.get(pk=delivery.pk)
    return _send
