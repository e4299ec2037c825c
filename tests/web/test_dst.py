"""Deadlines from the web form across daylight-saving changes: the signal is read on the incident's wall
clock, and every deadline is that instant plus the step's offset as elapsed time.

America/New_York in 2026: clocks go forward on 8 March at 02:00 (EST -5 to EDT -4) and back on
1 November at 02:00 (EDT -4 to EST -5).
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from crisis.models import Deadline, DeadlineKind, Incident

pytestmark = pytest.mark.django_db

ZONE = "America/New_York"


@pytest.fixture
def new_york(org):
    org.time_zone = ZONE
    org.save(update_fields=["time_zone"])
    return org


@pytest.fixture
def now_is():
    travellers = []

    def _now_is(moment: datetime) -> None:
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield _now_is
    for traveller in reversed(travellers):
        traveller.stop()


def _open(client, typed: str) -> Incident:
    response = client.post(reverse("crisis:incident-open"), {
        "title": f"Signal typed {typed}", "severity": 2, "status": "active", "first_public_signal_at": typed})
    assert response.status_code == 302, response.content.decode()[:3000]
    return Incident.objects.get(title=f"Signal typed {typed}")


def _offsets(incident: Incident) -> dict[str, timedelta]:
    """Each step's offset for the incident's severity, as the playbook it started with says."""
    severity = str(incident.severity)
    return {step["key"]: timedelta(seconds=step.get("severity_offsets", {}).get(severity, step["offset_seconds"]))
            for step in incident.playbook_snapshot}


def _first_deadlines(incident: Incident) -> dict[str, datetime]:
    rows = Deadline.objects.filter(incident=incident, kind=DeadlineKind.PLAYBOOK, occurrence=0)
    return {d.step_key: d.due_at for d in rows}


def _assert_elapsed(incident: Incident) -> None:
    incident.refresh_from_db()
    due = _first_deadlines(incident)
    offsets = _offsets(incident)
    assert set(due) == set(offsets)  # every step has its deadline: the check below cannot pass on none
    for key, offset in offsets.items():
        assert due[key] - incident.first_public_signal_at == offset, key


def test_it_reads_the_first_of_the_two_0130s_on_the_night_the_clocks_go_back(client_for, people, new_york, now_is):
    now_is(datetime(2026, 11, 1, 5, 40, tzinfo=UTC))  # 01:40 EDT, the first time round
    incident = _open(client_for(people["responder"]), "2026-11-01T01:30")
    assert incident.first_public_signal_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_it_sets_every_deadline_by_elapsed_time_from_a_signal_on_the_fall_back_night(
        client_for, people, new_york, now_is):
    now_is(datetime(2026, 11, 1, 5, 40, tzinfo=UTC))
    _assert_elapsed(_open(client_for(people["responder"]), "2026-11-01T01:30"))


def test_it_sets_every_deadline_by_elapsed_time_from_a_signal_on_the_spring_forward_night(
        client_for, people, new_york, now_is):
    now_is(datetime(2026, 3, 8, 6, 40, tzinfo=UTC))  # 01:40 EST, twenty minutes before the jump
    incident = _open(client_for(people["responder"]), "2026-03-08T01:30")
    assert incident.first_public_signal_at == datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    _assert_elapsed(incident)


def test_it_keeps_the_follow_up_24_elapsed_hours_after_a_signal_the_day_before_the_clocks_go_back(
        client_for, people, new_york, now_is):
    now_is(datetime(2026, 10, 31, 13, 10, tzinfo=UTC))  # 09:10 EDT on the Saturday
    incident = _open(client_for(people["responder"]), "2026-10-31T09:00")
    _assert_elapsed(incident)
    follow_up = _first_deadlines(incident)["follow-up-report"]
    assert follow_up == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # 08:00 EST on Sunday: 24 hours, not 25


def test_it_keeps_the_follow_up_24_elapsed_hours_after_a_signal_the_day_before_the_clocks_go_forward(
        client_for, people, new_york, now_is):
    now_is(datetime(2026, 3, 7, 14, 10, tzinfo=UTC))  # 09:10 EST on the Saturday
    incident = _open(client_for(people["responder"]), "2026-03-07T09:00")
    _assert_elapsed(incident)
    assert _first_deadlines(incident)["follow-up-report"] == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)  # 10:00 EDT


def test_it_refuses_a_time_the_clocks_skipped_beside_the_field(client_for, people, new_york, now_is):
    now_is(datetime(2026, 3, 8, 8, 0, tzinfo=UTC))  # 04:00 EDT
    response = client_for(people["responder"]).post(reverse("crisis:incident-open"), {
        "title": "Skipped", "severity": 2, "status": "active", "first_public_signal_at": "2026-03-08T02:30"})
    content = response.content.decode()
    assert response.status_code == 400
    errors = content[content.index('id="id_first_public_signal_at_error"'):]
    assert "2026-03-08 02:30 does not exist in America/New_York" in errors[:errors.index("</ul>")]
    assert not Incident.objects.filter(title="Skipped").exists()


def _redate(client, incident: Incident, typed: str):
    return client.post(reverse("crisis:incident-signal", args=[incident.pk]),
                       {"first_public_signal_at": typed, "expected_version": incident.version})


def test_it_moves_every_deadline_by_elapsed_time_when_the_signal_is_re_dated_on_the_fall_back_night(
        client_for, people, new_york, now_is):
    now_is(datetime(2026, 11, 1, 5, 50, tzinfo=UTC))  # 01:50 EDT
    incident = _open(client_for(people["responder"]), "2026-11-01T01:45")
    response = _redate(client_for(people["commander"]), incident, "2026-11-01T01:38")
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.first_public_signal_at == datetime(2026, 11, 1, 5, 38, tzinfo=UTC)
    _assert_elapsed(incident)


def test_it_moves_every_deadline_by_elapsed_time_when_the_signal_is_re_dated_on_the_spring_forward_night(
        client_for, people, new_york, now_is):
    now_is(datetime(2026, 3, 8, 6, 55, tzinfo=UTC))  # 01:55 EST
    incident = _open(client_for(people["responder"]), "2026-03-08T01:50")
    response = _redate(client_for(people["commander"]), incident, "2026-03-08T01:43")
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.first_public_signal_at == datetime(2026, 3, 8, 6, 43, tzinfo=UTC)
    _assert_elapsed(incident)


def test_it_moves_the_follow_up_24_elapsed_hours_when_the_signal_is_re_dated_the_day_before_a_change(
        client_for, people, new_york, now_is):
    now_is(datetime(2026, 10, 31, 13, 10, tzinfo=UTC))  # 09:10 EDT on the Saturday
    incident = _open(client_for(people["responder"]), "2026-10-31T09:05")
    _redate(client_for(people["commander"]), incident, "2026-10-31T09:00")
    incident.refresh_from_db()
    _assert_elapsed(incident)
    assert _first_deadlines(incident)["follow-up-report"] == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)


def test_it_shows_a_refused_re_dating_beside_the_field(client_for, people, new_york, now_is):
    now_is(datetime(2026, 10, 31, 13, 10, tzinfo=UTC))
    incident = _open(client_for(people["responder"]), "2026-10-31T09:05")  # detected at 09:10
    now_is(datetime(2026, 10, 31, 13, 20, tzinfo=UTC))
    response = _redate(client_for(people["commander"]), incident, "2026-10-31T09:15")
    content = response.content.decode()
    assert response.status_code == 400
    errors = content[content.index('id="id_signal_first_public_signal_at_error"'):]
    assert "cannot come after detection" in errors[:errors.index("</ul>")]


def test_it_lets_only_a_commander_re_date_the_signal(client_for, people, new_york, now_is):
    now_is(datetime(2026, 10, 31, 13, 10, tzinfo=UTC))
    incident = _open(client_for(people["responder"]), "2026-10-31T09:05")
    response = _redate(client_for(people["responder"]), incident, "2026-10-31T09:00")
    incident.refresh_from_db()
    assert response.status_code == 403
    assert incident.first_public_signal_at == datetime(2026, 10, 31, 13, 5, tzinfo=UTC)


def test_it_reads_a_bare_csv_time_on_the_incident_s_wall_clock_and_refuses_one_the_clocks_skipped():
    from crisis.web.csv_import import csv_preview

    text = "measured_at,source,negative_share\n2026-03-08 01:30,Weibo,0.4\n2026-03-08 02:30,Weibo,0.5\n"
    preview = csv_preview(text, zone="America/New_York")
    first, skipped = preview.rows
    assert first.point["measured_at"].astimezone(UTC) == datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    assert not first.errors
    assert skipped.errors and "measured_at" in skipped.errors[0]
