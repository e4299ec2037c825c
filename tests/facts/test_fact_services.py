"""Editing the fact sheet (crisis/facts/services/facts.py): versioned, compare-and-set, one event and audit row each."""

from datetime import timedelta

import pytest
from django.conf import settings

from crisis.facts.models import Fact, FactVersion
from crisis.facts.services.facts import fact_add, fact_edit, fact_retire
from crisis.models import AuditEntry, TimelineEvent
from crisis.services.errors import ConcurrentUpdate, InvalidInput, InvalidTransition, PermissionDenied
from tests.deadline_helpers import T0

pytestmark = pytest.mark.django_db


def _writes(incident):
    return (Fact.objects.count(), FactVersion.objects.count(), TimelineEvent.objects.filter(incident=incident).count(),
            AuditEntry.objects.filter(action__startswith="fact.").count())


def test_it_keeps_a_fact_logged_late_at_the_time_it_was_established(incident, people, at):
    at(50)  # engineering confirmed it at T0+10; the desk writes it down 40 minutes later
    fact = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected",
                    established_at=T0 + timedelta(minutes=10))
    assert fact.established_at == T0 + timedelta(minutes=10)
    assert fact.created_at == T0 + timedelta(minutes=50)
    event = TimelineEvent.objects.get(metadata__fact_id=fact.pk)
    assert event.occurred_at == T0 + timedelta(minutes=10) and event.recorded_at == T0 + timedelta(minutes=50)
    assert "3 vehicles affected" in event.body
    assert AuditEntry.objects.get(action="fact.add").object_id == str(fact.pk)
    assert list(fact.versions.values_list("number", "text")) == [(1, "3 vehicles affected")]


def test_it_takes_now_when_no_time_is_given(incident, people):
    fact = fact_add(incident=incident, actor=people["responder"], text="召回12月12日开始")
    assert fact.established_at == T0 + timedelta(minutes=5)


@pytest.mark.parametrize(("fields", "field"), [
    ({"text": "   "}, "text"),
    ({"text": "x" * 501}, "text"),
    ({"text": "ok", "established_at": T0 + timedelta(hours=2)}, "established_at"),  # the future
    ({"text": "ok", "established_at": T0 - timedelta(days=60)}, "established_at"),  # a mistyped month
])
def test_it_refuses_bad_input_and_writes_nothing(incident, people, fields, field):
    before = _writes(incident)
    with pytest.raises(InvalidInput) as refused:
        fact_add(incident=incident, actor=people["responder"], **fields)
    assert field in refused.value.fields
    assert _writes(incident) == before


def test_it_lets_only_responders_write(incident, people):
    with pytest.raises(PermissionDenied):
        fact_add(incident=incident, actor=people["viewer"], text="3 vehicles affected")


def test_it_edits_a_fact_into_a_new_version(incident, people, at):
    fact = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    at(20)
    fact_edit(fact=fact, actor=people["commander"], expected_version=1, text="4 vehicles affected")
    assert (fact.version, fact.text) == (2, "4 vehicles affected")
    assert list(fact.versions.values_list("number", "text")) == [(1, "3 vehicles affected"),
                                                                 (2, "4 vehicles affected")]
    event = TimelineEvent.objects.filter(metadata__fact_id=fact.pk).latest("id")
    assert "3 vehicles affected" in event.body and "4 vehicles affected" in event.body
    assert AuditEntry.objects.get(action="fact.edit").changes == {"text": "4 vehicles affected"}


def test_it_writes_nothing_for_an_unchanged_edit(incident, people):
    fact = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    before = _writes(incident)
    fact_edit(fact=fact, actor=people["responder"], expected_version=1, text=" 3 vehicles affected ")
    assert _writes(incident) == before and fact.version == 1


def test_it_loses_the_edit_race(incident, people):
    fact = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    stale = Fact.objects.get(pk=fact.pk)
    fact_edit(fact=fact, actor=people["responder"], expected_version=1, text="4 vehicles affected")
    before = _writes(incident)
    with pytest.raises(ConcurrentUpdate) as lost:
        fact_edit(fact=stale, actor=people["commander"], expected_version=1, text="5 vehicles affected")
    assert "version" in lost.value.fields
    assert _writes(incident) == before
    assert Fact.objects.get(pk=fact.pk).text == "4 vehicles affected"


def test_it_retires_a_fact_and_keeps_its_history(incident, people):
    fact = fact_add(incident=incident, actor=people["responder"], text="Doors unlock mechanically")
    fact_retire(fact=fact, actor=people["responder"], expected_version=1, reason="Engineering withdrew it")
    assert fact.is_retired and fact.version == 2
    assert fact.versions.get(number=2).reason == "Engineering withdrew it"
    with pytest.raises(InvalidTransition):
        fact_edit(fact=fact, actor=people["responder"], expected_version=2, text="Doors unlock")


def test_it_loses_the_retire_race_to_an_edit(incident, people):
    fact = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    stale = Fact.objects.get(pk=fact.pk)
    fact_edit(fact=fact, actor=people["responder"], expected_version=1, text="4 vehicles affected")
    with pytest.raises(ConcurrentUpdate):
        fact_retire(fact=stale, actor=people["commander"], expected_version=1)
    assert not Fact.objects.get(pk=fact.pk).is_retired


ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer: no race to lose")
@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_simultaneous_edits_win(org, people):
    from django.utils import timezone

    from crisis.services.incidents import incident_open
    from tests.oncall.test_races import race

    incident = incident_open(organization=org, actor=people["responder"], title="Doors",
                             first_public_signal_at=timezone.now() - timedelta(minutes=10))
    fact = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")

    def edit(actor, text):
        return lambda: fact_edit(fact=Fact.objects.get(pk=fact.pk), actor=actor, expected_version=1, text=text)

    errors = race(edit(people["responder"], "4 vehicles affected"), edit(people["commander"], "5 vehicles affected"))

    assert [type(e) for e in errors] == [ConcurrentUpdate]
    fact.refresh_from_db()
    assert fact.version == 2 and fact.text in ("4 vehicles affected", "5 vehicles affected")
    assert list(fact.versions.values_list("number", flat=True)) == [1, 2]
    assert AuditEntry.objects.filter(action="fact.edit").count() == 1
