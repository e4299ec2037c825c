"""Panels other features register show in the room, in its live poll and in its out-of-band refresh
(crisis/web/room_extensions.py)."""

import pytest
from django.template import engines
from django.urls import reverse

from crisis.models import TimelineEvent
from crisis.web import room_extensions
from crisis.web.room_extensions import RoomPanel, room_panel_register

pytestmark = pytest.mark.django_db

NOTES = engines["django"].from_string(
    '<section id="room-notes-count" data-live-panel="notes"{% if oob %} hx-swap-oob="true"{% endif %}>'
    "Lines so far: {{ notes_count }}</section>")


@pytest.fixture
def notes_panel(monkeypatch):
    def count(incident_id: int) -> str:
        return str(TimelineEvent.objects.filter(incident_id=incident_id).count())

    # A template object stands in for a file name; Django's include takes either.
    panel = RoomPanel(name="notes", template=NOTES, fingerprint=count,
                      context=lambda request, incident, abilities: {"notes_count": count(incident.pk)})
    room_panel_register(panel)
    yield panel
    room_extensions._panels.pop("notes", None)


def test_the_room_shows_a_registered_panel(client_for, people, open_incident, notes_panel):
    incident = open_incident()
    page = client_for(people["viewer"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    assert f"Lines so far: {incident.events.count()}" in page


def test_the_live_poll_moves_its_fingerprint_and_fetches_it_alone(client_for, people, open_incident, notes_panel):
    from crisis.services.timeline import timeline_event_log

    incident = open_incident()
    client = client_for(people["responder"])
    before = client.get(reverse("crisis:incident-version", args=[incident.pk])).json()["panels"]
    timeline_event_log(incident=incident, actor=people["responder"], kind="note", body="Weibo trending #3")
    after = client.get(reverse("crisis:incident-version", args=[incident.pk])).json()["panels"]
    assert before["notes"] != after["notes"]
    fetched = client.get(reverse("crisis:incident-panels", args=[incident.pk]), {"panel": "notes"}).content.decode()
    assert 'hx-swap-oob="true"' in fetched and f"Lines so far: {incident.events.count()}" in fetched
    assert "room-statements" not in fetched
