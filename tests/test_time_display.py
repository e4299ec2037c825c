"""Stored in UTC, shown in the incident's zone, with UTC a hover away."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.template import Context, Template

from crisis.models import Incident
from crisis.selectors import local_time
from crisis.templatetags.crisis_time import in_zone
from tests.factories import IncidentFactory

NEW_YORK = ZoneInfo("America/New_York")


def render(moment, zone: str) -> str:
    return Template("{% load crisis_time %}{% in_zone moment zone %}").render(Context({"moment": moment, "zone": zone}))


def test_it_shows_shanghai_local_time_with_utc_in_the_title():
    html = render(datetime(2025, 3, 14, 2, 0, tzinfo=UTC), "Asia/Shanghai")
    assert html == ('<time datetime="2025-03-14T02:00:00+00:00" title="2025-03-14 02:00 UTC">'
                    "2025-03-14 10:00 <small>CST</small></time>")


def test_it_moves_to_the_next_day_in_shanghai_late_in_the_utc_evening():
    assert "2025-03-15 01:30" in render(datetime(2025, 3, 14, 17, 30, tzinfo=UTC), "Asia/Shanghai")


def test_it_shows_new_york_winter_time_in_january():
    html = render(datetime(2025, 1, 15, 17, 0, tzinfo=UTC), "America/New_York")
    assert "2025-01-15 12:00 <small>EST</small>" in html
    assert 'title="2025-01-15 17:00 UTC"' in html


def test_it_shows_new_york_summer_time_in_july():
    html = render(datetime(2025, 7, 15, 17, 0, tzinfo=UTC), "America/New_York")
    assert "2025-07-15 13:00 <small>EDT</small>" in html
    assert 'title="2025-07-15 17:00 UTC"' in html


def test_it_puts_utc_in_the_title_whatever_zone_the_instant_arrives_in():
    html = render(datetime(2025, 7, 15, 13, 0, tzinfo=NEW_YORK), "Asia/Shanghai")
    assert 'title="2025-07-15 17:00 UTC"' in html
    assert "2025-07-16 01:00 <small>CST</small>" in html


def test_it_takes_a_custom_format():
    assert "10:00 <small>CST</small>" in in_zone(datetime(2025, 3, 14, 2, 0, tzinfo=UTC), "Asia/Shanghai", "%H:%M")


def test_it_renders_nothing_for_a_missing_time():
    assert render(None, "Asia/Shanghai") == ""


def test_it_converts_an_instant_to_the_zone_without_moving_it():
    moment = datetime(2025, 1, 15, 17, 0, tzinfo=UTC)
    local = local_time(moment, "America/New_York")
    assert (local.hour, local.utcoffset().total_seconds(), local == moment) == (12, -5 * 3600, True)


@pytest.mark.django_db
@pytest.mark.parametrize(("local", "utc"), [
    (datetime(2025, 1, 15, 12, 0, tzinfo=NEW_YORK), "2025-01-15 17:00:00"),
    (datetime(2025, 7, 15, 13, 0, tzinfo=NEW_YORK), "2025-07-15 17:00:00"),
], ids=["january", "july"])
def test_it_stores_a_new_york_incident_in_utc(local, utc):
    incident = IncidentFactory(time_zone="America/New_York", first_public_signal_at=local, detected_at=local)
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_public_signal_at FROM crisis_incident WHERE id = %s", [incident.pk])
        (raw,) = cursor.fetchone()
    assert str(raw).startswith(utc)
    loaded = Incident.objects.get(pk=incident.pk).first_public_signal_at
    assert (loaded, loaded.utcoffset().total_seconds()) == (local, 0)


@pytest.mark.django_db
def test_it_shows_a_stored_incident_in_its_own_zone():
    incident = IncidentFactory(time_zone="America/New_York",
                               first_public_signal_at=datetime(2025, 7, 15, 17, 0, tzinfo=UTC),
                               detected_at=datetime(2025, 7, 15, 17, 5, tzinfo=UTC))
    incident = Incident.objects.get(pk=incident.pk)
    html = Template("{% load crisis_time %}{% in_zone incident.first_public_signal_at incident.time_zone %}").render(
        Context({"incident": incident}))
    assert "2025-07-15 13:00 <small>EDT</small>" in html
