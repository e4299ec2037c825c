"""Real concurrency on PostgreSQL for "thorns": two edits of an action item's due date, two links of one pair."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from crisis.models import Deadline, DeadlineKind, TimelineEvent
from crisis.reports.action_item_deadlines import action_item_deadline, action_item_due_at
from crisis.reports.links import incident_link
from crisis.reports.models import ActionItem
from crisis.reports.services import action_item_create, action_item_update
from crisis.services.errors import ConcurrentUpdate
from tests.oncall.test_races import ON_POSTGRES, race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer, so there is no race to lose"),
    pytest.mark.django_db(transaction=True),
]


def test_two_due_date_edits_at_once_move_the_deadline_to_the_winners_date(open_incident, people):
    incident = open_incident()
    item = action_item_create(incident=incident, actor=people["responder"], title="换掉第三方电池供应商",
                              owner=people["approver"], due_on=date(2027, 1, 5))
    dates = (date(2027, 2, 1), date(2027, 3, 1))
    errors = race(*[lambda d=d: action_item_update(item=ActionItem.objects.get(pk=item.pk), actor=people["responder"],
                                                   expected_version=1, due_on=d) for d in dates])
    assert len(errors) == 1 and isinstance(errors[0], ConcurrentUpdate)
    won = ActionItem.objects.get(pk=item.pk)
    assert won.version == 2 and won.due_on in dates
    assert action_item_deadline(won).due_at == action_item_due_at(due_on=won.due_on, incident=incident)
    assert Deadline.objects.filter(kind=DeadlineKind.ACTION_ITEM).count() == 1


def test_linking_a_pair_from_both_ends_at_once_links_it_once(open_incident, people):
    now = open_incident()
    past = open_incident(title="The battery fire of March", first_public_signal_at=timezone.now() - timedelta(days=9))
    errors = race(lambda: incident_link(incident=now, other=past, actor=people["responder"]),
                  lambda: incident_link(incident=past, other=now, actor=people["commander"]))
    assert errors == []
    assert list(now.related_incidents.all()) == [past]
    assert TimelineEvent.objects.filter(metadata__has_key="related_incident_id").count() == 2
