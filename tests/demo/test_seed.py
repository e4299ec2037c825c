from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from crisis import clock
from crisis.commitments.models import Commitment, CommitmentState
from crisis.comms.models import FreezeEntry
from crisis.demo.seed import DEMO_PASSWORD, LIVESTREAM, ORG_SLUG, OVERHEATING, USERS
from crisis.facts.models import Fact
from crisis.media.models import Inquiry, InquiryState
from crisis.models import DeadlineState, Incident, IncidentStatus, Membership, Statement, StatementStatus, TimelineEvent
from crisis.oncall.models import Page
from crisis.selectors import sentiment_series

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [model for config in apps.get_app_configs() if config.name.startswith("crisis")
              for model in config.get_models()] + [get_user_model()]
    return {model._meta.label: model._default_manager.count() for model in models}


def rises_then_falls(values: list[float]) -> bool:
    peak = values.index(max(values))
    climb, fall = values[: peak + 1], values[peak:]
    return (0 < peak < len(values) - 1 and all(a < b for a, b in zip(climb, climb[1:], strict=False))
            and all(a > b for a, b in zip(fall, fall[1:], strict=False)))


@pytest.fixture
def demo():
    seed_demo()
    return {incident.title: incident for incident in Incident.objects.filter(organization__slug=ORG_SLUG)}


def test_it_leaves_every_count_unchanged_when_run_twice(demo):
    first = row_counts()
    seed_demo()
    assert row_counts() == first


def test_it_leaves_every_count_unchanged_when_run_again_later(demo, time_machine):
    first = row_counts()
    time_machine.move_to(NOW + timedelta(days=2), tick=False)
    seed_demo()
    assert row_counts() == first


def test_it_creates_two_incidents(demo):
    assert set(demo) == {OVERHEATING, LIVESTREAM}


def test_it_leaves_one_incident_live_and_one_resolved(demo):
    assert demo[OVERHEATING].status == IncidentStatus.ACTIVE
    assert demo[LIVESTREAM].status == IncidentStatus.RESOLVED


def test_it_writes_statements_in_chinese_and_english(demo):
    for incident in demo.values():
        languages = set(Statement.objects.filter(incident=incident).values_list("language", flat=True))
        assert {"zh-hans", "en"} <= languages, incident.title


def test_it_publishes_only_approved_text_and_marks_what_went_out_unapproved(demo):
    published = Statement.objects.filter(status=StatementStatus.PUBLISHED).select_related("published_version")
    assert published.filter(is_off_script=False).exists()
    for statement in published.filter(is_off_script=False):
        assert statement.published_version.approvals.exists()
    (founder,) = published.filter(is_off_script=True)  # the founder's personal post, logged as what it was
    assert not founder.published_version.approvals.exists()


def test_the_live_incident_shows_the_desk_at_work(demo):
    """A promise counting down, a journalist waiting, a fact sheet entered late, the founder's account frozen."""
    incident = demo[OVERHEATING]
    now = clock.now()
    (promise,) = Commitment.objects.filter(incident=incident)
    assert promise.state == CommitmentState.OPEN
    assert promise.deadline.state == DeadlineState.PENDING and promise.deadline.due_at > now
    assert promise.due_at == promise.statement.published_at + timedelta(hours=3)  # "3小时内", from when it went out
    (inquiry,) = Inquiry.objects.filter(incident=incident)
    assert inquiry.state == InquiryState.OPEN and inquiry.reply_by > now and inquiry.stakeholder is not None
    facts = Fact.objects.filter(incident=incident)
    assert facts.count() == 3
    assert all(fact.established_at < fact.created_at for fact in facts)  # typed up after the fact
    assert FreezeEntry.objects.filter(organization=incident.organization, account="@lumen_founder").exists()
    assert not Page.objects.filter(deadline=promise.deadline).exists()  # nothing owed yet


@pytest.mark.parametrize("title", [OVERHEATING, LIVESTREAM], ids=["overheating", "livestream"])
def test_it_has_negative_sentiment_rise_then_fall(demo, title):
    shares = [cp.negative_share for cp in sentiment_series(incident=demo[title])]
    assert len(shares) >= 4
    assert rises_then_falls(shares), shares


@pytest.mark.parametrize("title", [OVERHEATING, LIVESTREAM], ids=["overheating", "livestream"])
def test_it_spreads_the_timeline_over_several_hours(demo, title):
    times = TimelineEvent.objects.filter(incident=demo[title]).values_list("occurred_at", flat=True)
    assert max(times) - min(times) >= timedelta(hours=2)


def test_it_starts_the_clock_at_a_public_signal_before_detection(demo):
    for incident in demo.values():
        assert incident.first_public_signal_at < incident.detected_at


def test_it_creates_a_user_for_each_role_with_the_documented_password(demo):
    for name, role in USERS.items():
        membership = Membership.objects.select_related("user").get(user__username=f"demo-{name}")
        assert membership.role == role
        assert membership.user.check_password(DEMO_PASSWORD)


def test_it_prints_the_demo_login(demo):
    assert DEMO_PASSWORD in seed_demo()


def test_it_knows_a_series_that_only_climbs_does_not_rise_and_fall():
    assert rises_then_falls([0.2, 0.5, 0.3])
    assert not rises_then_falls([0.2, 0.5, 0.7])
    assert not rises_then_falls([0.7, 0.5, 0.3])
