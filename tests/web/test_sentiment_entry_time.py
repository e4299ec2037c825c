""""Measured at" on the sentiment form starts at now in the incident's zone and stays editable for late entry."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from crisis.models import SentimentCheckpoint

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 3, 0, 40, tzinfo=UTC)  # 11:00 in Shanghai


@pytest.fixture
def shanghai_incident(open_incident, time_machine):
    time_machine.move_to(NOW, tick=False)
    return open_incident(time_zone="Asia/Shanghai", first_public_signal_at=NOW - timedelta(hours=2))


def _url(incident):
    return reverse("crisis:sentiment-entry", args=[incident.pk])


def test_it_fills_measured_at_with_now_in_the_incidents_zone(client_for, people, shanghai_incident):
    page = client_for(people["responder"]).get(_url(shanghai_incident)).content.decode()
    assert 'name="measured_at" value="2026-12-02T11:00"' in page
    assert "Asia/Shanghai · Filled in with the time the form opened" in page


def test_it_fills_in_the_time_the_form_opens_not_the_time_the_server_started(
        client_for, people, shanghai_incident, time_machine):
    client = client_for(people["responder"])
    client.get(_url(shanghai_incident))
    time_machine.move_to(NOW + timedelta(minutes=25), tick=False)
    assert 'value="2026-12-02T11:25"' in client.get(_url(shanghai_incident)).content.decode()


def test_it_records_a_reading_entered_late_at_the_time_typed(client_for, people, shanghai_incident):
    response = client_for(people["responder"]).post(_url(shanghai_incident), {
        "measured_at": "2026-12-02T10:15", "source": "Weibo", "negative_share": "40"})
    assert response.status_code == 302
    checkpoint = SentimentCheckpoint.objects.get()
    assert checkpoint.measured_at == datetime(2026, 12, 2, 2, 15, tzinfo=UTC)
    assert checkpoint.recorded_at - checkpoint.measured_at >= timedelta(minutes=45)


def test_it_keeps_what_was_typed_when_the_form_comes_back_with_an_error(client_for, people, shanghai_incident):
    response = client_for(people["responder"]).post(_url(shanghai_incident), {
        "measured_at": "2026-12-02T10:15", "source": "", "negative_share": "40"})
    assert response.status_code == 400
    assert 'value="2026-12-02T10:15"' in response.content.decode()
