"""A long timeline comes a page at a time: pinned lines, the newest page, older pages on demand."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.models import EventKind, TimelineEvent
from crisis.services.timeline import timeline_event_correct, timeline_event_log
from crisis.web.timeline_pages import PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(open_incident):
    """Opened 10 minutes after its signal: its only line of its own is the pinned opening."""
    return open_incident()


def _lines(incident, count: int, *, kind=EventKind.NOTE, start_minutes: int = 0, actor=None):
    """``count`` lines a minute apart from 60 hours ago, oldest first (bulk: these tests are about reading
    them, and a timeline may hold lines from before the first public signal, such as early warnings)."""
    start = timezone.now() - timedelta(hours=60, minutes=-start_minutes)
    return TimelineEvent.objects.bulk_create(
        TimelineEvent(incident=incident, kind=kind, body=f"{kind} line {n}", actor=actor,
                      occurred_at=start + timedelta(minutes=n), recorded_at=start + timedelta(minutes=n))
        for n in range(count))


def _timeline(client, incident, **params) -> str:
    return client.get(reverse("crisis:incident-timeline", args=[incident.pk]), params).content.decode()


def _shown(content: str, kind: str = "note") -> list[int]:
    return [int(n) for n in re.findall(rf"{kind} line (\d+)", content)]


def _more_link(content: str) -> dict:
    href = re.search(r'id="timeline-more"\s+href="[^"?]*\?([^"#]*)', content).group(1).replace("&amp;", "&")
    return dict(part.split("=", 1) for part in href.split("&"))


def test_it_shows_the_newest_page_first(client_for, people, incident):
    _lines(incident, PAGE_SIZE + 30)
    shown = _shown(_timeline(client_for(people["viewer"]), incident))
    assert shown == list(range(PAGE_SIZE + 29, 29, -1))


def test_it_loads_the_page_below_the_last_line_shown(client_for, people, incident):
    _lines(incident, PAGE_SIZE + 30)
    client = client_for(people["viewer"])
    more = _more_link(_timeline(client, incident))
    shown = _shown(_timeline(client, incident, **more))
    assert shown == list(range(PAGE_SIZE + 29, -1, -1))


def test_it_offers_no_more_once_every_line_is_shown(client_for, people, incident):
    _lines(incident, PAGE_SIZE + 30)
    client = client_for(people["viewer"])
    content = _timeline(client, incident, **_more_link(_timeline(client, incident)))
    assert 'id="timeline-more"' not in content


def test_it_keeps_the_loaded_lines_when_the_timeline_refreshes(client_for, people, incident):
    _lines(incident, PAGE_SIZE * 3)
    client = client_for(people["viewer"])
    loaded = _timeline(client, incident, **_more_link(_timeline(client, incident)))
    until = re.search(r'id="timeline-until" name="until" value="([^"]+)"', loaded).group(1)
    refreshed = _shown(_timeline(client, incident, until=until))
    assert refreshed == _shown(loaded)
    assert len(refreshed) == PAGE_SIZE * 2


def test_it_shows_a_back_dated_line_in_its_place_among_the_loaded_lines(client_for, people, incident):
    _lines(incident, PAGE_SIZE * 3)
    client = client_for(people["viewer"])
    loaded = _timeline(client, incident, **_more_link(_timeline(client, incident)))
    until = re.search(r'id="timeline-until" name="until" value="([^"]+)"', loaded).group(1)
    line_70 = TimelineEvent.objects.get(incident=incident, body="note line 70")
    timeline_event_log(incident=incident, actor=people["responder"], body="Back-dated witness video",
                       occurred_at=line_70.occurred_at + timedelta(seconds=30))
    refreshed = _timeline(client, incident, until=until)
    assert refreshed.index("note line 71") < refreshed.index("Back-dated witness video") < refreshed.index(
        "note line 70")


def test_it_keeps_pinned_lines_on_top_however_old(client_for, people, incident):
    oldest = _lines(incident, PAGE_SIZE * 2)[0]
    TimelineEvent.objects.filter(pk=oldest.pk).update(is_pinned=True)
    content = _timeline(client_for(people["viewer"]), incident)
    assert content.index("note line 0<") < content.index(f"note line {PAGE_SIZE * 2 - 1}<")


def test_it_shows_a_corrected_pinned_line_once_as_its_correction(client_for, people, incident):
    original = timeline_event_log(incident=incident, actor=people["responder"], body="3 injured", is_pinned=True)
    timeline_event_correct(event=original, actor=people["responder"], body="No one injured")
    _lines(incident, PAGE_SIZE * 2)
    content = _timeline(client_for(people["viewer"]), incident)
    assert content.count("No one injured") == 1
    assert content.index("No one injured") < content.index(f"note line {PAGE_SIZE * 2 - 1}<")


def test_it_folds_a_run_of_system_lines_into_one(client_for, people, incident):
    _lines(incident, 2, actor=people["responder"])
    _lines(incident, 5, kind=EventKind.PAGE, start_minutes=10)
    _lines(incident, 2, start_minutes=20, actor=people["responder"])
    content = _timeline(client_for(people["viewer"]), incident)
    run = content[content.index('class="system-run"'):]
    assert "5 system lines (Page)" in run
    assert _shown(run[:run.index("</details>")], "page") == [4, 3, 2, 1, 0]


def test_it_leaves_two_system_lines_in_a_row_unfolded(client_for, people, incident):
    _lines(incident, 2, kind=EventKind.DEADLINE, start_minutes=10)
    content = _timeline(client_for(people["viewer"]), incident, kind=EventKind.DEADLINE)
    assert 'class="system-run"' not in content


def test_it_starts_from_the_newest_line_for_a_cursor_it_did_not_write(client_for, people, incident):
    _lines(incident, PAGE_SIZE + 5)
    content = _timeline(client_for(people["viewer"]), incident, until="yesterday", more="1")
    assert _shown(content)[0] == PAGE_SIZE + 4
    assert len(_shown(content)) == PAGE_SIZE


def test_it_loads_more_in_the_room_without_javascript(client_for, people, incident):
    _lines(incident, PAGE_SIZE + 30)
    client = client_for(people["viewer"])
    more = _more_link(_timeline(client, incident))
    room = client.get(reverse("crisis:incident-room", args=[incident.pk]), more).content.decode()
    assert 0 in _shown(room)


def test_it_keeps_the_room_of_a_3000_line_incident_under_300_kb(client_for, people, incident):
    _lines(incident, 2000, actor=people["responder"])
    _lines(incident, 1000, kind=EventKind.DEADLINE, start_minutes=3)
    response = client_for(people["commander"]).get(reverse("crisis:incident-room", args=[incident.pk]))
    assert response.status_code == 200
    assert len(response.content) < 300_000
