from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from crisis.demo.seed import DEMO_PASSWORD, LIVESTREAM, ORG_SLUG, OVERHEATING, USERS
from crisis.models import Incident, IncidentStatus, Membership, Statement, StatementStatus, TimelineEvent
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
    models = [*apps.get_app_config("crisis").get_models(), get_user_model()]
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


def test_it_publishes_only_approved_text(demo):
    published = Statement.objects.filter(status=StatementStatus.PUBLISHED).select_related("published_version")
    assert published.exists()
    for statement in published:
        assert statement.published_version.approvals.exists()


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
