"""The room's "Past thorns": past incidents sharing tags or channels, with their open action items and what
they said then, and the incidents linked to this one (crisis/reports/thorns.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.models import Incident, StatementStatus
from crisis.reports.links import incident_link
from crisis.reports.models import ActionItem, ActionItemStatus
from crisis.reports.thorns import key_line, past_thorns, thorns_fingerprint
from tests.factories import IncidentFactory, StatementFactory, StatementVersionFactory

pytestmark = pytest.mark.django_db


def past(org, days, **kw):
    return IncidentFactory(organization=org, first_public_signal_at=timezone.now() - timedelta(days=days), **kw)


def published(incident, body):
    statement = StatementFactory(incident=incident, status=StatementStatus.PUBLISHED,
                                 published_at=incident.first_public_signal_at + timedelta(hours=1))
    version = StatementVersionFactory(statement=statement, body=body)
    statement.current_version = statement.published_version = version
    statement.save(update_fields=["current_version", "published_version"])


@pytest.fixture
def now(open_incident):
    return open_incident(tags=["battery", "G7 phone"], affected_channels=["weibo", "douyin"])


def room(client_for, people, incident):
    return client_for(people["viewer"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()


def test_it_shows_nothing_and_says_so_without_a_past(now, people, client_for):
    assert past_thorns(incident=now) == []
    assert "No past incident shares this one's tags or channels." in room(client_for, people, now)


def test_it_shows_a_past_incident_sharing_a_tag_with_its_open_items_and_key_lines(now, org, people, client_for):
    fire = past(org, 200, title="The battery fire of March", tags=["battery"])
    ActionItem.objects.create(incident=fire, title="换掉第三方电池供应商", created_at=timezone.now())
    ActionItem.objects.create(incident=fire, title="Done already", status=ActionItemStatus.DONE,
                              created_at=timezone.now())
    published(fire, "我们已召回全部G7电池。后续检测结果将在一周内公布。\n第二段")
    (thorn,) = past_thorns(incident=now)
    assert (thorn.incident, thorn.shared_tags, thorn.open_item_count) == (fire, ["battery"], 1)
    assert thorn.key_lines == ["我们已召回全部G7电池。"]
    page = room(client_for, people, now)
    assert "The battery fire of March" in page and "换掉第三方电池供应商" in page and "我们已召回全部G7电池。" in page


def test_it_ignores_incidents_that_share_nothing_later_ones_and_other_organizations(now, org):
    past(org, 10, tags=["recall"], affected_channels=["wechat"])
    IncidentFactory(organization=org, first_public_signal_at=timezone.now() + timedelta(days=1), tags=["battery"])
    past(IncidentFactory().organization, 10, tags=["battery"])
    assert past_thorns(incident=now) == []


def test_it_puts_linked_incidents_first_then_the_closest_matches(now, org, people):
    by_channel = past(org, 5, affected_channels=["weibo"])
    by_tag = past(org, 50, tags=["battery"])
    by_both = past(org, 100, tags=["battery", "G7 phone"], affected_channels=["douyin"])
    unrelated = past(org, 300, title="Linked by hand")
    incident_link(incident=now, other=unrelated, actor=people["responder"])
    thorns = past_thorns(incident=now)
    assert [t.incident for t in thorns] == [unrelated, by_both, by_tag, by_channel]
    assert thorns[0].is_linked and not thorns[1].is_linked


def test_it_reads_500_past_incidents_in_a_fixed_number_of_queries(now, org, django_assert_max_num_queries):
    start = timezone.now() - timedelta(days=600)
    Incident.objects.bulk_create([
        Incident(organization=org, title=f"Past {n}", severity=2, status="closed", tags=["battery"],
                 affected_channels=["weibo"], first_public_signal_at=start + timedelta(days=n),
                 detected_at=start + timedelta(days=n))
        for n in range(500)])
    pasts = list(Incident.objects.filter(title__startswith="Past ").order_by("-first_public_signal_at")[:20])
    ActionItem.objects.bulk_create([ActionItem(incident=p, title=f"Item {n}", created_at=timezone.now())
                                    for p in pasts for n in range(8)])
    for p in pasts[:5]:
        for n in range(4):
            published(p, f"Statement {n}.")
    with django_assert_max_num_queries(3):
        thorns = past_thorns(incident=now)
    assert len(thorns) == 5
    assert all(len(t.open_items) == 5 and t.open_item_count == 8 and len(t.key_lines) == 2 for t in thorns)


def test_the_fingerprint_moves_with_a_link(now, org, people):
    before = thorns_fingerprint(now.pk)
    incident_link(incident=now, other=past(org, 3), actor=people["responder"])
    assert thorns_fingerprint(now.pk) != before


def test_a_viewer_sees_no_link_buttons(now, org, people, client_for):
    past(org, 20, tags=["battery"])
    page = room(client_for, people, now)
    assert "Link to this incident" not in page
    assert "Link to this incident" in client_for(people["responder"]).get(
        reverse("crisis:incident-room", args=[now.pk])).content.decode()


@pytest.mark.parametrize("text, said", [
    ("", ""), ("\n\n  Hello world. Second.", "Hello world."), ("x" * 300, "x" * 139 + "…"),
    ("关于网传视频的说明：我们正在核实！", "关于网传视频的说明：我们正在核实！")])
def test_a_key_line_is_the_first_sentence(text, said):
    assert key_line(text) == said
