import pytest

from crisis.models import AppendOnlyError
from tests.factories import (
    AuditEntryFactory,
    SentimentCheckpointFactory,
    StatementApprovalFactory,
    StatementVersionFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db

APPEND_ONLY = [
    pytest.param(TimelineEventFactory, "body", "rewritten", id="timeline_event"),
    pytest.param(SentimentCheckpointFactory, "negative_share", 0.1, id="sentiment_checkpoint"),
    pytest.param(StatementVersionFactory, "body", "rewritten", id="statement_version"),
    pytest.param(StatementApprovalFactory, "note", "rewritten", id="statement_approval"),
    pytest.param(AuditEntryFactory, "action", "rewritten", id="audit_entry"),
]


@pytest.mark.parametrize(("factory", "field", "value"), APPEND_ONLY)
def test_it_refuses_to_save_an_existing_row(factory, field, value):
    row = factory()
    setattr(row, field, value)
    with pytest.raises(AppendOnlyError):
        row.save()
    row.refresh_from_db()
    assert getattr(row, field) != value


@pytest.mark.parametrize(("factory", "field", "value"), APPEND_ONLY)
def test_it_refuses_to_save_an_existing_row_with_update_fields_naming_a_history_field(factory, field, value):
    row = factory()
    setattr(row, field, value)
    with pytest.raises(AppendOnlyError):
        row.save(update_fields=[field])


@pytest.mark.parametrize(("factory", "field", "value"), APPEND_ONLY)
def test_it_refuses_to_delete_a_row(factory, field, value):
    row = factory()
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(("factory", "field", "value"), APPEND_ONLY)
def test_it_names_the_model_in_the_refusal(factory, field, value):
    row = factory()
    with pytest.raises(AppendOnlyError, match=type(row).__name__):
        row.delete()


def test_it_saves_the_pinned_flag_of_a_timeline_event_with_update_fields():
    event = TimelineEventFactory(is_pinned=False)
    event.is_pinned = True
    event.save(update_fields=["is_pinned"])
    event.refresh_from_db()
    assert event.is_pinned is True


def test_it_refuses_the_pinned_flag_without_update_fields():
    event = TimelineEventFactory(is_pinned=False)
    event.is_pinned = True
    with pytest.raises(AppendOnlyError):
        event.save()


def test_it_refuses_the_pinned_flag_saved_together_with_the_body():
    event = TimelineEventFactory(is_pinned=False, body="original")
    event.is_pinned = True
    event.body = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save(update_fields=["is_pinned", "body"])
    event.refresh_from_db()
    assert (event.is_pinned, event.body) == (False, "original")


def test_it_allows_no_flag_on_a_sentiment_checkpoint():
    checkpoint = SentimentCheckpointFactory()
    with pytest.raises(AppendOnlyError):
        checkpoint.save(update_fields=["notes"])
