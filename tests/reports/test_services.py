from datetime import date

import pytest

from crisis.models import AuditEntry, EventKind, TimelineEvent
from crisis.reports.models import ActionItemStatus, PostMortem, ReportFile
from crisis.reports.services import action_item_create, action_item_update, postmortem_update, report_request
from crisis.services.errors import ConcurrentUpdate, InvalidInput, NotFound, PermissionDenied
from tests.factories import IncidentFactory

from .factories import ActionItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(org):
    return IncidentFactory(organization=org)


def test_it_saves_the_postmortem_sections(incident, people):
    postmortem_update(incident=incident, actor=people["responder"], expected_version=0, root_cause="第三方电池")
    assert PostMortem.objects.get(incident=incident).root_cause == "第三方电池"


def test_it_logs_a_postmortem_edit_on_the_timeline(incident, people):
    postmortem_update(incident=incident, actor=people["responder"], expected_version=0, summary="Done.")
    assert TimelineEvent.objects.filter(incident=incident, kind=EventKind.NOTE,
                                        body__startswith="Post-mortem edited").count() == 1


def test_it_refuses_a_postmortem_edit_made_on_a_stale_copy(incident, people):
    postmortem_update(incident=incident, actor=people["responder"], expected_version=0, summary="First.")
    with pytest.raises(ConcurrentUpdate):
        postmortem_update(incident=incident, actor=people["commander"], expected_version=0, summary="Second.")


def test_it_refuses_a_viewer_editing_the_postmortem(incident, people):
    with pytest.raises(PermissionDenied):
        postmortem_update(incident=incident, actor=people["viewer"], expected_version=0, summary="x")


def test_it_hides_the_incident_from_an_outsider(incident, people):
    with pytest.raises(NotFound):
        postmortem_update(incident=incident, actor=people["outsider"], expected_version=0, summary="x")


def test_it_creates_an_action_item_with_an_audit_entry(incident, people):
    item = action_item_create(incident=incident, actor=people["responder"], title="Publish battery test sites",
                              owner=people["commander"], due_on=date(2026, 12, 1))
    assert AuditEntry.objects.filter(action="action_item.create", object_id=str(item.pk)).count() == 1


def test_it_logs_a_new_action_item_on_the_timeline(incident, people):
    item = action_item_create(incident=incident, actor=people["responder"], title="Publish battery test sites")
    assert TimelineEvent.objects.filter(incident=incident, metadata__action_item_id=item.pk).count() == 1


def test_it_refuses_an_owner_from_another_organization(incident, people):
    with pytest.raises(InvalidInput):
        action_item_create(incident=incident, actor=people["responder"], title="x", owner=people["outsider"])


def test_it_records_when_an_action_item_is_done(incident, people, at):
    item = ActionItemFactory(incident=incident)
    moment = at(30)
    action_item_update(item=item, actor=people["responder"], expected_version=1, status=ActionItemStatus.DONE)
    assert (item.status, item.version, item.completed_at) == ("done", 2, moment)


def test_it_refuses_an_action_item_change_when_the_race_is_lost(incident, people):
    item = ActionItemFactory(incident=incident)
    stale = type(item).objects.get(pk=item.pk)
    action_item_update(item=item, actor=people["responder"], expected_version=1, status=ActionItemStatus.IN_PROGRESS)
    with pytest.raises(ConcurrentUpdate):
        action_item_update(item=stale, actor=people["commander"], expected_version=1, status=ActionItemStatus.DROPPED)


def test_it_numbers_report_versions_per_format(incident, people):
    for fmt in ("pdf", "pdf", "md"):
        report_request(incident=incident, actor=people["responder"], format=fmt)
    assert sorted(ReportFile.objects.values_list("format", "number")) == [("md", 1), ("pdf", 1), ("pdf", 2)]


def test_it_refuses_a_viewer_generating_a_report(incident, people):
    with pytest.raises(PermissionDenied):
        report_request(incident=incident, actor=people["viewer"], format="pdf")
