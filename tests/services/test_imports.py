"""Loading a past crisis from one JSON document (docs/import.md)."""

import copy
import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from crisis.models import Breach, Channel, EventKind, Incident, Role, StatementKind, TimelineEvent
from crisis.oncall.models import Page
from crisis.services.errors import InvalidInput, NotFound, PermissionDenied
from crisis.services.imports import import_schema, incident_import
from tests.factories import member
from tests.oncall.helpers import sweep_and_dispatch
from tests.scenarios import night_crisis as crisis

pytestmark = pytest.mark.django_db

NOW_MINUTES = 60 * 24 * 240  # the import runs eight months after the crisis


@pytest.fixture
def load(org, people, time_machine):
    time_machine.move_to(crisis.at(NOW_MINUTES), tick=False)

    def _load(document=None, actor=None):
        return incident_import(organization=org, actor=actor or people["commander"],
                               document=document or crisis.import_document()).incident

    return _load


def test_it_gives_every_deadline_the_verdict_of_a_crisis_entered_as_it_happened(load):
    assert crisis.verdicts_of(load()) == crisis.VERDICTS


def test_it_records_the_facts_at_their_own_times_and_the_entry_at_the_import(load):
    incident = load()
    statement = incident.statements.get(kind="holding")
    assert (statement.published_at, statement.published_recorded_at) == (crisis.at(50), crisis.at(NOW_MINUTES))
    assert incident.acknowledged_at == crisis.at(20)
    assert incident.resolved_at == crisis.at(crisis.RESOLVED)
    assert set(incident.checkpoints.values_list("recorded_at", flat=True)) == {crisis.at(NOW_MINUTES)}


def test_it_marks_the_import_retrospective_and_pages_nobody(load):
    incident = load()
    sweep_and_dispatch(crisis.at(NOW_MINUTES))
    assert incident.is_retrospective
    assert not Page.objects.filter(incident=incident).exists()
    assert Breach.objects.filter(incident=incident).count() == 3


def test_it_retracts_nothing_because_it_enters_each_fact_when_it_happened(load):
    assert not Breach.objects.filter(incident=load(), retracted_at__isnull=False).exists()


def test_it_keeps_an_unresolved_import_open_and_judges_it_up_to_now(load):
    document = crisis.import_document()
    del document["resolution"]
    incident = load(document)
    update = incident.deadlines.filter(step_key="public-update").order_by("occurrence")
    assert incident.is_open
    assert [d.state for d in update] == ["met", "breached", "pending"]
    assert incident.passed_occurrences.get(step_key="public-update").count > 1000


def test_it_closes_after_resolving_when_both_times_are_given(load):
    document = crisis.import_document()
    document["resolution"]["closed_at"] = crisis.iso(crisis.RESOLVED + 60)
    incident = load(document)
    assert (incident.status, incident.closed_at) == ("closed", crisis.at(crisis.RESOLVED + 60))


def test_it_imports_an_acknowledgement_logged_as_an_event(load):
    document = crisis.import_document()
    del document["acknowledged_at"]
    document["events"].append({"kind": "acknowledgement", "body": "Wang took command by phone.",
                               "occurred_at": crisis.iso(12)})
    incident = load(document)
    assert incident.acknowledged_at == crisis.at(12)
    assert incident.deadlines.get(step_key="acknowledge").state == "met"


# All or nothing, with the item and field named


def test_it_names_the_item_and_field_the_schema_refuses_and_writes_nothing(load):
    document = crisis.import_document()
    document["statements"][1]["channel"] = "carrier-pigeon"
    with pytest.raises(InvalidInput) as caught:
        load(document)
    assert "statements[1].channel" in caught.value.fields
    assert not Incident.objects.exists()


def test_it_names_the_item_a_service_refuses_and_writes_nothing(load):
    document = crisis.import_document()
    document["checkpoints"][3].update(negative_share=0.8, positive_share=0.5)
    with pytest.raises(InvalidInput) as caught:
        load(document)
    assert "checkpoints[3].negative_share" in caught.value.fields
    assert caught.value.message.startswith("checkpoints[3]:")
    assert not Incident.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_it_refuses_facts_from_the_future(load):
    document = crisis.import_document()
    document["checkpoints"][0]["measured_at"] = crisis.iso(NOW_MINUTES + 60)
    with pytest.raises(InvalidInput) as caught:
        load(document)
    assert list(caught.value.fields) == ["checkpoints[0]"]


def test_it_refuses_a_time_without_an_offset(load):
    document = crisis.import_document()
    document["incident"]["first_public_signal_at"] = "2026-03-14T22:44:00"
    with pytest.raises(InvalidInput) as caught:
        load(document)
    assert "incident.first_public_signal_at" in caught.value.fields


def test_it_refuses_a_commander_from_outside_the_organization(load, people):
    document = crisis.import_document()
    document["incident"]["commander"] = people["outsider"].username
    with pytest.raises(InvalidInput) as caught:
        load(document)
    assert "incident.commander" in caught.value.fields


def test_it_lets_only_commanders_import(load, people):
    with pytest.raises(PermissionDenied):
        load(actor=people["responder"])
    with pytest.raises(NotFound):
        load(actor=people["outsider"])


# The published schema says what the models accept


def test_its_schema_lists_the_channels_and_kinds_the_models_know():
    schema = import_schema()
    assert schema["$defs"]["channel"]["enum"] == list(Channel.values)
    statement_kinds = schema["properties"]["statements"]["items"]["properties"]["kind"]["enum"]
    assert statement_kinds == list(StatementKind.values)
    event_kinds = schema["properties"]["events"]["items"]["properties"]["kind"]["enum"]
    assert set(event_kinds) <= set(EventKind.values)


# Daylight-saving time: offsets are elapsed time


@pytest.mark.parametrize("signal", ["2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00",
                                    "2026-03-08T01:30:00-05:00", "2026-10-31T09:00:00-04:00"])
def test_it_counts_step_offsets_as_elapsed_time_across_a_clock_change(org, people, time_machine, signal):
    from datetime import datetime

    time_machine.move_to(crisis.at(NOW_MINUTES), tick=False)
    document = {"format": "golden-hours/incident-import/1",
                "incident": {"title": "Recall rumour", "severity": 2, "time_zone": "America/New_York",
                             "first_public_signal_at": signal}}
    incident = incident_import(organization=org, actor=people["commander"], document=document).incident
    start = datetime.fromisoformat(signal)
    offsets = {step["key"]: step["severity_offsets"].get("2", step["offset_seconds"])
               for step in incident.playbook_snapshot}
    for deadline in incident.deadlines.filter(occurrence=0):
        assert deadline.due_at == start + timedelta(seconds=offsets[deadline.step_key]), deadline.step_key


# The command


def test_it_imports_from_the_command_line(org, people, tmp_path, time_machine):
    time_machine.move_to(crisis.at(NOW_MINUTES), tick=False)
    path = tmp_path / "crisis.json"
    path.write_text(json.dumps(crisis.import_document()), encoding="utf-8")
    out = io.StringIO()
    call_command("import_incident", str(path), organization=org.slug, user=people["commander"].username, stdout=out)
    assert "nobody was paged" in out.getvalue()
    assert crisis.verdicts_of(Incident.objects.get()) == crisis.VERDICTS


def test_the_command_says_what_it_refused_and_imports_nothing(org, people, tmp_path, time_machine):
    time_machine.move_to(crisis.at(NOW_MINUTES), tick=False)
    document = copy.deepcopy(crisis.import_document())
    document["statements"][0]["kind"] = "tweetstorm"
    path = tmp_path / "crisis.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match=r"statements\[0\]\.kind"):
        call_command("import_incident", str(path), organization=org.slug, user=people["commander"].username)
    assert not Incident.objects.exists()


def test_a_viewer_cannot_import_through_the_command(org, tmp_path, time_machine):
    time_machine.move_to(crisis.at(NOW_MINUTES), tick=False)
    viewer = member(org, Role.VIEWER)
    path = tmp_path / "crisis.json"
    path.write_text(json.dumps(crisis.import_document()), encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_incident", str(path), organization=org.slug, user=viewer.username)
