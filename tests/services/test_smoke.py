import pytest

from crisis.models import IncidentStatus, StatementStatus
from crisis.services import incidents, sentiment, statements
from crisis.services.errors import ConcurrentUpdate, InvalidInput

pytestmark = pytest.mark.django_db


def test_it_carries_a_statement_from_draft_to_published(open_incident, people):
    incident = open_incident()
    st = statements.statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                     body="我们已关注到视频。")
    statements.statement_submit_for_review(statement=st, actor=people["responder"])
    statements.statement_approve(statement=st, actor=people["approver"])
    statements.statement_publish(statement=st, actor=people["commander"], public_url="https://example.com/x")
    st.refresh_from_db()
    assert st.status == StatementStatus.PUBLISHED
    assert st.published_version_id == st.current_version_id


def test_it_loses_the_race_when_the_incident_changed_underneath(open_incident, people):
    incident = open_incident()
    stale = type(incident).objects.get(pk=incident.pk)
    incidents.incident_transition(incident=incident, actor=people["commander"], to_status=IncidentStatus.CONTAINED)
    with pytest.raises(ConcurrentUpdate):
        incidents.incident_transition(incident=stale, actor=people["commander"], to_status=IncidentStatus.RESOLVED)


def test_it_rejects_shares_summing_over_one(open_incident, people):
    from django.utils import timezone

    incident = open_incident()
    with pytest.raises(InvalidInput) as exc:
        sentiment.sentiment_checkpoint_record(incident=incident, actor=people["responder"], measured_at=timezone.now(),
                                              source="Weibo", negative_share=0.7, positive_share=0.5)
    assert "negative_share" in exc.value.fields
