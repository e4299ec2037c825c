"""Bad input is the client's mistake: 400 with the field at fault, and nothing written."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from crisis.models import AuditEntry, Incident, SentimentCheckpoint, TimelineEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(open_incident):
    return open_incident()


@pytest.fixture
def client(api_as, people):
    return api_as(people["responder"])


def _counts():
    return (Incident.objects.count(), TimelineEvent.objects.count(), SentimentCheckpoint.objects.count(),
            AuditEntry.objects.count())


def _point(**overrides):
    point = {"measured_at": (timezone.now() - timedelta(minutes=1)).isoformat(), "source": "Weibo",
             "negative_share": 0.5}
    point.update(overrides)
    return point


def _post_raw(client, url, raw: str | bytes):
    return client.generic("POST", url, raw, content_type="application/json")


@pytest.mark.parametrize(
    "point, field",
    [
        (_point(negative_share=-0.1), "negative_share"),
        (_point(negative_share=1.5), "negative_share"),
        (_point(negative_share=0.6, neutral_share=0.3, positive_share=0.2), "negative_share"),
        (_point(measured_at="9999-12-31T23:59:59Z"), "measured_at"),
        (_point(measured_at="9999-12-31T23:59:59-05:00"), "measured_at"),
        (_point(measured_at="yesterday"), "measured_at"),
        (_point(measured_at="2026-01-01T10:00:00"), "measured_at"),
        (_point(negative_share="NaN"), "negative_share"),
        (_point(negative_share="0.5"), "negative_share"),
        (_point(mention_volume=1.5), "mention_volume"),
        (_point(mention_volume=True), "mention_volume"),
        (_point(mention_volume=-3), "mention_volume"),
        (_point(reach=2**70), "reach"),
        (_point(trending_rank=0), "trending_rank"),
        (_point(source=12), "source"),
        (_point(source="x" * 101), "source"),
        (_point(extra=[1, 2]), "extra"),
        (_point(surprise=1), "surprise"),
        ({"source": "Weibo", "measured_at": _point()["measured_at"]}, "negative_share"),
    ],
)
def test_it_rejects_a_bad_checkpoint_and_writes_nothing(client, incident, point, field):
    before = _counts()
    response = client.post(f"/api/v1/incidents/{incident.pk}/checkpoints/", point, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert _counts() == before


@pytest.mark.parametrize(
    "raw",
    [
        '{"body": "unterminated',
        '{"body": NaN}',
        '{"body": "x", "metadata": {"n": Infinity}}',
        "[" * 100_000 + "]" * 100_000,
        b"\xff\xfe not utf-8",
    ],
)
def test_it_rejects_malformed_json(client, incident, raw):
    before = _counts()
    response = _post_raw(client, f"/api/v1/incidents/{incident.pk}/events/", raw)

    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"malformed", "too_large"}
    assert _counts() == before


def test_it_treats_infinity_from_an_overflowing_number_as_invalid(client, incident):
    before = _counts()
    response = _post_raw(client, f"/api/v1/incidents/{incident.pk}/checkpoints/",
                         json.dumps(_point()).replace('"negative_share": 0.5', '"negative_share": 1e400'))

    assert response.status_code == 400
    assert _counts() == before


def test_it_rejects_a_ten_megabyte_string(client, incident):
    before = _counts()
    response = client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": "x" * 10_000_000}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_large"
    assert _counts() == before


def test_it_rejects_a_long_string_under_the_size_limit(client, incident):
    before = _counts()
    response = client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": "x" * 1_000_000}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()["error"]["fields"]
    assert _counts() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"body": ["a list"]}, "body"),
        ({"body": "ok", "kind": "gossip"}, "kind"),
        ({"body": "ok", "is_pinned": "yes"}, "is_pinned"),
        ({"body": "ok", "metadata": "not an object"}, "metadata"),
        ({"body": "ok", "source_url": "javascript:alert(1)"}, "source_url"),
        ({"body": "ok", "occurred_at": "0001-01-01T00:00:00+14:00"}, "occurred_at"),
        ({"body": "   "}, "body"),
    ],
)
def test_it_rejects_a_bad_event(client, incident, body, field):
    before = _counts()
    response = client.post(f"/api/v1/incidents/{incident.pk}/events/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert _counts() == before


def test_it_rejects_a_body_that_is_not_an_object(client, incident):
    response = client.post(f"/api/v1/incidents/{incident.pk}/events/", [1, 2, 3], format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_it_rejects_a_non_json_content_type(client, incident):
    response = client.post(f"/api/v1/incidents/{incident.pk}/events/", "body=x",
                           content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_it_rejects_an_incident_from_the_year_9999(client, org):
    before = _counts()
    response = client.post("/api/v1/incidents/", {"organization": org.pk, "title": "x",
                                                  "first_public_signal_at": "9999-12-31T00:00:00Z"}, format="json")

    assert response.status_code == 400
    assert "first_public_signal_at" in response.json()["error"]["fields"]
    assert _counts() == before


def test_it_rejects_a_commander_from_outside_the_organization(client, org, people):
    before = _counts()
    response = client.post("/api/v1/incidents/", {
        "organization": org.pk, "title": "x", "commander": people["outsider"].pk,
        "first_public_signal_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
    }, format="json")

    assert response.status_code == 400
    assert "commander" in response.json()["error"]["fields"]
    assert _counts() == before


# When a fact happened: every happened-at time is checked, and a bad one is a 400 naming the field and why.


def _approved_statement(incident, people):
    from crisis.services.statements import statement_approve, statement_create, statement_submit_for_review

    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body="我们正在核实。")
    statement_submit_for_review(statement=statement, actor=people["responder"])
    statement_approve(statement=statement, actor=people["approver"])
    return statement


def _checkpoint(incident, people):
    from crisis.services.sentiment import sentiment_checkpoint_record

    return sentiment_checkpoint_record(incident=incident, actor=people["responder"], source="Weibo",
                                       measured_at=timezone.now() - timedelta(minutes=1), negative_share=0.4)


def _pending_deadline(incident):
    from crisis.models import DeadlineState

    return incident.deadlines.filter(state=DeadlineState.PENDING).order_by("due_at").first()


# (name, builder taking (incident, people, bad time) -> (url, body), the field named in the error)
HAPPENED_AT = [
    ("acknowledge", lambda i, p, t: (f"/api/v1/incidents/{i.pk}/acknowledge/", {"acknowledged_at": t}),
     "acknowledged_at"),
    ("acknowledgement event", lambda i, p, t: (
        f"/api/v1/incidents/{i.pk}/events/", {"kind": "acknowledgement", "body": "On it", "occurred_at": t}),
     "occurred_at"),
    ("event", lambda i, p, t: (f"/api/v1/incidents/{i.pk}/events/", {"body": "Seen", "occurred_at": t}),
     "occurred_at"),
    ("event correction", lambda i, p, t: (
        f"/api/v1/events/{i.events.first().pk}/correct/", {"body": "Seen twice", "occurred_at": t}), "occurred_at"),
    ("transition", lambda i, p, t: (
        f"/api/v1/incidents/{i.pk}/transition/", {"status": "resolved", "occurred_at": t}), "occurred_at"),
    ("mark met", lambda i, p, t: (
        f"/api/v1/deadlines/{_pending_deadline(i).pk}/mark-met/", {"note": "Done", "happened_at": t}),
     "happened_at"),
    ("publish", lambda i, p, t: (
        f"/api/v1/statements/{_approved_statement(i, p).pk}/publish/", {"published_at": t}), "published_at"),
    ("checkpoint", lambda i, p, t: (
        f"/api/v1/incidents/{i.pk}/checkpoints/", _point(measured_at=t)), "measured_at"),
    ("bulk checkpoints", lambda i, p, t: (
        f"/api/v1/incidents/{i.pk}/checkpoints/bulk/", {"points": [_point(), _point(measured_at=t)]}),
     "points[1].measured_at"),
    ("checkpoint correction", lambda i, p, t: (
        f"/api/v1/checkpoints/{_checkpoint(i, p).pk}/correct/", {"measured_at": t}), "measured_at"),
]
# (name, the bad time given the incident's first public signal, words of the reason)
BAD_TIMES = [
    ("future", lambda signal: (timezone.now() + timedelta(days=1)).isoformat(), "future"),
    ("too early", lambda signal: (signal - timedelta(days=31)).isoformat(), "before the first public signal"),
    ("no zone", lambda signal: (signal + timedelta(minutes=1)).replace(tzinfo=None).isoformat(), "time zone"),
    ("not a time", lambda signal: "yesterday at ten", "format"),
    ("out of range", lambda signal: "0001-01-01T00:00:00+14:00", "range"),
]
def _record(incident):
    """Everything a happened-at time could change, to show that a refused one changed nothing."""
    from crisis.models import Breach, Deadline, Statement

    incident.refresh_from_db()
    return (
        _counts(), Breach.objects.count(),
        (incident.version, incident.status, incident.acknowledged_at, incident.resolved_at),
        list(Deadline.objects.filter(incident=incident).order_by("id").values_list("state", "version", "met_at")),
        list(Statement.objects.filter(incident=incident).order_by("id").values_list("status", "published_at")),
    )


def _happened_at_cases():
    for name, build, field in HAPPENED_AT:
        for bad, when, reason in BAD_TIMES:
            yield pytest.param(build, field, when, reason, id=f"{name}: {bad}")


@pytest.mark.parametrize("build, field, when, reason", _happened_at_cases())
def test_it_refuses_a_bad_happened_at_time_with_the_field_and_the_reason(build, field, when, reason, api_as,
                                                                         incident, people):
    url, body = build(incident, people, when(incident.first_public_signal_at))
    client = api_as(people["commander"])
    before = _record(incident)
    response = client.post(url, body, format="json")

    assert response.status_code == 400, response.content
    assert reason in " ".join(response.json()["error"]["fields"][field]).lower()
    assert _record(incident) == before
