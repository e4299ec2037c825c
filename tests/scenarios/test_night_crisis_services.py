"""The night crisis of docs/playbook.md entered live through the services, with the engine sweeping and
paging between entries: the worked example's verdicts, pages and retractions."""

import pytest

from crisis.models import Breach, Incident
from crisis.oncall.models import Page, PageState
from crisis.services import incidents, sentiment
from crisis.services.imports import incident_import
from tests.oncall.helpers import sweep_and_dispatch
from tests.playbooks.test_satisfaction import publish

from . import night_crisis as crisis

pytestmark = pytest.mark.django_db


def enter_live(org, people, travel) -> Incident:
    """Walk the crisis minute by minute as the desk entered it, the engine sweeping before each entry."""
    travel(crisis.LOGGED)
    incident = incidents.incident_open(organization=org, actor=people["responder"], title="Phone smoking on a train",
                                       first_public_signal_at=crisis.at(0), severity=2, time_zone="Asia/Shanghai")
    entries = sorted([(entered, happened, fact) for happened, entered, fact in crisis.FACTS]
                     + [(minute, None, {"type": "sweep"}) for minute in crisis.SWEEPS]
                     + [(crisis.RESOLVED, crisis.RESOLVED, {"type": "resolution"})], key=lambda e: e[0])
    sweep_and_dispatch(crisis.at(crisis.LOGGED))
    for entered, happened, fact in entries:
        travel(entered)
        sweep_and_dispatch(crisis.at(entered))
        kind = fact["type"]
        if kind == "acknowledgement":
            incidents.incident_acknowledge(incident=incident, actor=people["responder"],
                                           acknowledged_at=crisis.at(happened))
        elif kind == "checkpoint":
            sentiment.sentiment_checkpoint_record(incident=incident, actor=people["responder"],
                                                  measured_at=crisis.at(happened), source="Weibo",
                                                  negative_share=fact["negative_share"],
                                                  mention_volume=fact["mention_volume"])
        elif kind == "statement":
            publish(incident, people, kind=fact["kind"], channel=fact["channel"], published_at=crisis.at(happened))
        elif kind == "resolution":
            incidents.incident_transition(incident=incident, actor=people["commander"], to_status="resolved")
        incident.refresh_from_db()
    return incident


@pytest.fixture
def travel(time_machine):
    def _travel(minutes):
        time_machine.move_to(crisis.at(minutes), tick=False)
    return _travel


def test_it_gives_the_verdicts_of_the_worked_example(org, people, travel):
    assert crisis.verdicts_of(enter_live(org, people, travel)) == crisis.VERDICTS


def test_it_pages_once_per_thing_somebody_had_to_do(org, people, travel):
    incident = enter_live(org, people, travel)
    pages = Page.objects.filter(incident=incident).order_by("id")
    assert [p.title for p in pages] == [
        "Logged late: 2 deadlines already missed on Phone smoking on a train",
        "Missed: Sentiment checkpoint every 30 minutes (first 4 hours)",
        "Missed: Stakeholder briefing (internal statement)",
        "Missed: Full statement with facts, cause and actions",
    ]
    assert {p.state for p in pages} == {PageState.RESOLVED}


def test_it_retracts_the_two_alarms_that_facts_entered_later_proved_false(org, people, travel):
    incident = enter_live(org, people, travel)
    retracted = Breach.objects.filter(incident=incident, retracted_at__isnull=False)
    assert sorted(retracted.values_list("deadline__step_key", flat=True)) == ["sentiment-baseline",
                                                                             "sentiment-cadence"]


def test_the_import_gives_the_same_verdicts_and_no_page(org, people, travel):
    live = crisis.verdicts_of(enter_live(org, people, travel))
    travel(60 * 24 * 240)
    imported = incident_import(organization=org, actor=people["commander"], document=crisis.import_document())
    assert crisis.verdicts_of(imported.incident) == live
    assert not Page.objects.filter(incident=imported.incident).exists()
