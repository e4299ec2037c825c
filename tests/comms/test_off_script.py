"""Off-script posts: on the record at the time they went out, measured, never the brand's answer."""

from datetime import timedelta

import pytest

from crisis.comms.models import OffScriptPost
from crisis.comms.services.off_script import off_script_post_log
from crisis.models import AuditEntry, DeadlineState, EventKind, Statement, StatementStatus, TimelineEvent
from crisis.reports.assembly import report_assemble
from crisis.services.errors import InvalidInput, PermissionDenied
from crisis.services.sentiment import sentiment_checkpoint_record
from crisis.system_lines import line_render
from tests.deadline_helpers import T0, by_step

pytestmark = pytest.mark.django_db
CHERRY = "今天的樱花真美 🌸"


def minutes(n: float):
    return T0 + timedelta(minutes=n)


def log(incident, people, **overrides):
    fields = {"incident": incident, "actor": people["responder"], "channel": "founder_account",
              "posted_by": "The founder", "account": "@Founder", "body": CHERRY, "happened_at": minutes(20),
              "public_url": "https://weibo.example.com/founder/1"}
    fields.update(overrides)
    return off_script_post_log(**fields)


def test_a_post_logged_an_hour_late_goes_on_the_record_when_it_went_out(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(80)
    statement = log(incident, people, happened_at=minutes(20))

    statement = Statement.objects.get(pk=statement.pk)
    assert statement.is_off_script and statement.status == StatementStatus.PUBLISHED
    assert (statement.published_at, statement.published_recorded_at) == (minutes(20), minutes(80))
    assert statement.current_version.body == CHERRY
    assert OffScriptPost.objects.get(statement=statement).posted_by == "The founder"
    event = incident.events.get(metadata__statement_id=statement.pk, kind=EventKind.STATEMENT)
    assert event.occurred_at == minutes(20) and event.metadata["off_script"] is True
    assert event.source_url == "https://weibo.example.com/founder/1"
    assert "Off-script post (not approved by the desk)" in event.body and "@Founder" in event.body
    assert AuditEntry.objects.filter(action="statement.off_script_log", object_id=str(statement.pk)).count() == 1


def test_it_meets_no_playbook_deadline(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(30)
    log(incident, people, happened_at=minutes(25), kind="holding", channel="weibo")
    assert by_step(incident)["holding-statement"].state == DeadlineState.PENDING


def test_its_timeline_line_reads_in_chinese(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(30)
    statement = log(incident, people)
    event = TimelineEvent.objects.get(metadata__statement_id=statement.pk)
    chinese = line_render(event.message, "zh-hans")
    assert "未经" in chinese and "@Founder" in chinese


def test_it_passes_no_freeze(incident_at_t0, people, at, frozen):
    frozen()
    incident = incident_at_t0(severity=1)
    at(30)
    statement = log(incident, people, channel="founder_account")
    assert Statement.objects.get(pk=statement.pk).status == StatementStatus.PUBLISHED


@pytest.mark.parametrize(("overrides", "field"), [
    ({"posted_by": " "}, "posted_by"),
    ({"channel": "myspace"}, "channel"),
    ({"happened_at": None}, "happened_at"),
    ({"happened_at": minutes(600)}, "happened_at"),
    ({"happened_at": minutes(-60 * 24 * 40)}, "happened_at"),
    ({"public_url": "weibo.com/x"}, "public_url"),
    ({"body": ""}, "body"),
    ({"kind": "rumour"}, "kind"),
    ({"channel": "x", "body": "x" * 281}, "body"),
])
def test_it_refuses_bad_input_and_writes_nothing(incident_at_t0, people, at, overrides, field):
    incident = incident_at_t0()
    at(30)
    events = incident.events.count()
    with pytest.raises(InvalidInput) as refused:
        log(incident, people, **overrides)
    assert field in refused.value.fields
    assert not Statement.objects.exists() and not OffScriptPost.objects.exists()
    assert incident.events.count() == events


def test_a_viewer_cannot_log_one(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(30)
    with pytest.raises(PermissionDenied):
        log(incident, people, actor=people["viewer"])
    assert not Statement.objects.exists()


def test_the_post_mortem_measures_it_and_labels_it_off_script(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(90)
    for minute, share in ((15, 0.4), (50, 0.7)):
        sentiment_checkpoint_record(incident=incident, actor=people["responder"], measured_at=minutes(minute),
                                    source="weibo", negative_share=share)
    statement = log(incident, people, happened_at=minutes(20))
    report = report_assemble(incident=incident)
    effect = next(e for e in report["statement_effects"] if e["statement_id"] == statement.pk)
    assert effect["is_off_script"] is True
    assert effect["negative_share_change"] == pytest.approx(0.3)
    assert report["statements"][0]["is_off_script"] is True
    # Not the brand's answer: the first response is still missing.
    assert next(row for row in report["key_times"] if row["key"] == "first_response")["at"] is None
