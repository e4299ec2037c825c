"""The inquiry log: a question, a reply owed by a time (an owned deadline paging its owner, then the commander),
answered or closed as compare-and-set transitions."""

from datetime import timedelta

import pytest

from crisis.media.models import Inquiry, InquiryState
from crisis.media.services.inquiries import inquiry_answer, inquiry_close, inquiry_log
from crisis.models import AuditEntry, Breach, Deadline, DeadlineKind, DeadlineState, TimelineEvent
from crisis.oncall.models import Page, PageSource, PageState
from crisis.oncall.warnings import deadline_warnings_page
from crisis.services import statements
from crisis.services.errors import ConcurrentUpdate, InvalidInput, InvalidTransition, NotFound
from tests.deadline_helpers import T0
from tests.oncall.helpers import recipients, sweep_and_dispatch

pytestmark = pytest.mark.django_db


def log(incident, people, **fields):
    fields.setdefault("asker_name", "李娜 (财新)")
    fields.setdefault("channel", "phone")
    fields.setdefault("question", "列车上冒烟的手机是哪个型号？")
    fields.setdefault("owner_id", people["responder"].pk)
    return inquiry_log(incident=incident, actor=people["responder"], **fields)


def deadline_of(inquiry):
    return Deadline.objects.get(kind=DeadlineKind.INQUIRY, step_key=f"inquiry-{inquiry.pk}")


def test_an_inquiry_logged_after_its_reply_by_pages_its_owner_at_once(incident, people, at):
    at(50)
    inquiry = log(incident, people, asked_at=T0 + timedelta(minutes=10), reply_within_minutes=30)
    assert inquiry.reply_by == T0 + timedelta(minutes=40)
    assert (inquiry.asked_at, inquiry.recorded_at) == (T0 + timedelta(minutes=10), T0 + timedelta(minutes=50))
    assert deadline_of(inquiry).state == DeadlineState.BREACHED
    sweep_and_dispatch(at(50))
    page = Page.objects.get(deadline=deadline_of(inquiry), source=PageSource.BREACH)
    assert recipients(page) == [people["responder"].username]


def test_a_thirty_minute_reply_by_warns_then_pages_its_owner_then_the_commander(incident, people, at):
    at(10)
    inquiry = log(incident, people, reply_within_minutes=30)
    deadline = deadline_of(inquiry)
    assert (deadline.owner, deadline.due_at) == (people["responder"], T0 + timedelta(minutes=40))
    deadline_warnings_page(now=at(31))
    (warning,) = Page.objects.filter(source=PageSource.WARNING, deadline=deadline)
    assert recipients(warning) == [people["responder"].username]
    sweep_and_dispatch(at(39))
    assert not Page.objects.filter(source=PageSource.BREACH, deadline=deadline).exists()
    sweep_and_dispatch(at(41))
    page = Page.objects.get(source=PageSource.BREACH, deadline=deadline)
    assert recipients(page) == [people["responder"].username]
    sweep_and_dispatch(at(47))
    assert recipients(page, step=1) == [people["commander"].username]


def test_an_answer_given_in_time_but_logged_after_the_alarm_retracts_it(incident, people, at):
    at(10)
    inquiry = log(incident, people, reply_within_minutes=30)
    sweep_and_dispatch(at(41))
    at(45)
    inquiry_answer(inquiry=inquiry, actor=people["responder"], expected_version=1,
                   answer="型号仍在核实，我们会在今天下午发布说明。", answered_at=T0 + timedelta(minutes=35))
    deadline = deadline_of(inquiry)
    assert deadline.state == DeadlineState.MET
    assert Breach.objects.get(deadline=deadline).retracted_at is not None
    assert Page.objects.get(deadline=deadline, source=PageSource.BREACH).state == PageState.RESOLVED
    fresh = Inquiry.objects.get(pk=inquiry.pk)
    assert (fresh.state, fresh.answered_at, fresh.version) == (InquiryState.ANSWERED, T0 + timedelta(minutes=35), 2)


def test_an_answer_after_the_reply_by_is_met_late(incident, people, at, published):
    at(10)
    inquiry = log(incident, people, reply_within_minutes=30)
    at(60)
    inquiry_answer(inquiry=inquiry, actor=people["responder"], expected_version=1, answer="See our statement.",
                   answered_at=T0 + timedelta(minutes=55), statement_id=published.pk)
    deadline = deadline_of(inquiry)
    assert (deadline.state, deadline.met_at) == (DeadlineState.BREACHED, T0 + timedelta(minutes=55))
    assert Inquiry.objects.get(pk=inquiry.pk).statement == published


def test_an_answer_in_time_meets_the_reply_by_and_is_on_the_timeline(incident, people, at):
    at(10)
    inquiry = log(incident, people)
    at(20)
    inquiry_answer(inquiry=inquiry, actor=people["responder"], expected_version=1, answer="正在核实。")
    assert deadline_of(inquiry).state == DeadlineState.MET
    kinds = list(TimelineEvent.objects.filter(metadata__inquiry_id=inquiry.pk).values_list("metadata__state",
                                                                                             flat=True))
    assert kinds == ["open", "answered"]
    assert AuditEntry.objects.filter(action__in=["inquiry.log", "inquiry.answer"]).count() == 2


def test_closing_without_reply_cancels_the_reply_by(incident, people, at):
    at(10)
    inquiry = log(incident, people)
    inquiry_close(inquiry=inquiry, actor=people["responder"], expected_version=1, reason="Duplicate of the 14:02 call")
    assert deadline_of(inquiry).state == DeadlineState.CANCELLED
    sweep_and_dispatch(at(60))
    assert not Page.objects.filter(deadline=deadline_of(inquiry)).exists()
    fresh = Inquiry.objects.get(pk=inquiry.pk)
    assert (fresh.state, fresh.close_reason) == (InquiryState.CLOSED, "Duplicate of the 14:02 call")


def test_closing_after_the_alarm_resolves_its_page(incident, people, at):
    at(10)
    inquiry = log(incident, people)
    sweep_and_dispatch(at(41))
    inquiry_close(inquiry=inquiry, actor=people["responder"], expected_version=1, reason="The reporter withdrew")
    assert Page.objects.get(deadline=deadline_of(inquiry), source=PageSource.BREACH).state == PageState.RESOLVED


def test_an_answer_that_lost_the_race_changes_nothing(incident, people, at):
    at(10)
    inquiry = log(incident, people)
    stale = Inquiry.objects.get(pk=inquiry.pk)
    inquiry_close(inquiry=inquiry, actor=people["admin"], expected_version=1, reason="answered by phone, not here")
    stale.state = InquiryState.OPEN  # what the loser read
    with pytest.raises(ConcurrentUpdate):
        inquiry_answer(inquiry=stale, actor=people["responder"], expected_version=1, answer="正在核实。")
    fresh = Inquiry.objects.get(pk=inquiry.pk)
    assert (fresh.state, fresh.answer) == (InquiryState.CLOSED, "")
    assert not TimelineEvent.objects.filter(metadata__inquiry_id=inquiry.pk, metadata__state="answered").exists()


def test_a_close_that_lost_the_race_changes_nothing(incident, people, at):
    at(10)
    inquiry = log(incident, people)
    stale = Inquiry.objects.get(pk=inquiry.pk)
    inquiry_answer(inquiry=inquiry, actor=people["admin"], expected_version=1, answer="正在核实。")
    with pytest.raises(ConcurrentUpdate):
        inquiry_close(inquiry=stale, actor=people["responder"], expected_version=1, reason="duplicate")
    assert Inquiry.objects.get(pk=inquiry.pk).state == InquiryState.ANSWERED
    assert deadline_of(inquiry).state == DeadlineState.MET


def test_an_answered_inquiry_cannot_be_closed(incident, people, at):
    at(10)
    inquiry = log(incident, people)
    inquiry_answer(inquiry=inquiry, actor=people["responder"], expected_version=1, answer="正在核实。")
    with pytest.raises(InvalidTransition):
        inquiry_close(inquiry=inquiry, actor=people["responder"], expected_version=2, reason="duplicate")


def test_it_refuses_bad_input_naming_each_field_and_writes_nothing(incident, people, at, org):
    at(10)
    before = TimelineEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        inquiry_log(incident=incident, actor=people["responder"], channel="pigeon", question=" ",
                    asked_at=T0 + timedelta(days=2), reply_within_minutes=0, owner_id=people["viewer"].pk)
    assert set(refused.value.fields) == {"channel", "question", "asked_at", "reply_within_minutes", "asker_name",
                                         "owner"}
    with pytest.raises(InvalidInput) as refused:
        log(incident, people, stakeholder_id=10**9, owner_id=people["outsider"].pk)
    assert set(refused.value.fields) == {"stakeholder", "owner"}
    assert not Inquiry.objects.exists()
    assert not Deadline.objects.filter(kind=DeadlineKind.INQUIRY).exists()
    assert TimelineEvent.objects.count() == before


def test_it_refuses_an_answer_before_the_question_and_a_foreign_statement(incident, people, at, open_incident):
    at(20)
    inquiry = log(incident, people, asked_at=T0 + timedelta(minutes=15))
    with pytest.raises(InvalidInput) as refused:
        inquiry_answer(inquiry=inquiry, actor=people["responder"], expected_version=1, answer="",
                       answered_at=T0 + timedelta(minutes=12))
    assert set(refused.value.fields) == {"answer", "answered_at"}
    other = open_incident(title="Another incident")
    elsewhere = statements.statement_create(incident=other, actor=people["responder"], channel="weibo",
                                            kind="holding", body="另一事件")
    with pytest.raises(NotFound) as refused:
        inquiry_answer(inquiry=inquiry, actor=people["responder"], expected_version=1, answer="见声明。",
                       statement_id=elsewhere.pk)
    assert list(refused.value.fields) == ["statement"]
    assert Inquiry.objects.get(pk=inquiry.pk).version == 1


def test_a_stakeholder_names_the_asker(incident, people, at, journalist):
    at(10)
    inquiry = log(incident, people, asker_name="", stakeholder_id=journalist.pk, owner_id=None)
    assert (inquiry.asker_name, inquiry.stakeholder, inquiry.owner) == ("李娜", journalist, people["responder"])
