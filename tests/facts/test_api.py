"""The fact sheet, the consistency check and the any-two redline over /api/v1/."""

from datetime import timedelta

import pytest
from django.urls import reverse

from crisis.facts.models import Fact, FactVersion
from crisis.facts.services.facts import fact_add
from crisis.models import AuditEntry
from tests.deadline_helpers import T0

pytestmark = pytest.mark.django_db

WEIBO_NOON = "发布会定于中午12:00举行。"


@pytest.fixture
def client(api_as, people):
    return api_as(people["responder"])


def test_it_adds_a_fact_established_earlier(client, incident, at):
    at(40)
    established = (T0 + timedelta(minutes=12)).isoformat()
    response = client.post(reverse("api:fact-list", args=[incident.pk]),
                           {"text": "3 vehicles affected", "established_at": established}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["text"] == "3 vehicles affected" and body["version"] == 1
    assert body["established_at"].startswith("2026-11-24T18:12")
    assert [v["number"] for v in body["versions"]] == [1]


def test_it_refuses_a_blank_fact_and_writes_nothing(client, incident):
    response = client.post(reverse("api:fact-list", args=[incident.pk]), {"text": "  "}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()["error"]["fields"]
    assert not Fact.objects.exists() and not AuditEntry.objects.filter(action__startswith="fact.").exists()


def test_it_lists_the_sheet(client, incident, people, django_assert_max_num_queries):
    for n in range(5):
        fact_add(incident=incident, actor=people["responder"], text=f"{n} vehicles affected")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("api:fact-list", args=[incident.pk]))
    assert [f["text"] for f in response.json()["results"]][:2] == ["0 vehicles affected", "1 vehicles affected"]


def test_it_lists_the_live_sheet_without_what_was_retired(client, incident, people):
    from crisis.facts.services.facts import fact_retire

    kept = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    gone = fact_add(incident=incident, actor=people["responder"], text="Doors unlock mechanically")
    fact_retire(fact=gone, actor=people["responder"], expected_version=1)
    url = reverse("api:fact-list", args=[incident.pk])
    assert [f["id"] for f in client.get(url, {"is_retired": "false"}).json()["results"]] == [kept.pk]
    assert [f["id"] for f in client.get(url, {"is_retired": "true"}).json()["results"]] == [gone.pk]


def test_it_refuses_a_filter_value_that_is_not_a_yes_or_no(client, incident):
    # Found by the live contract run: ?is_retired=-25683 was read as "no filter" and answered 200.
    response = client.get(reverse("api:fact-list", args=[incident.pk]), {"is_retired": "-25683"})
    assert response.status_code == 400 and "is_retired" in response.json()["error"]["fields"]


def test_it_edits_with_the_version_and_answers_409_to_a_stale_one(client, incident, people):
    fact = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    url = reverse("api:fact-detail", args=[fact.pk])
    response = client.patch(url, {"version": 1, "text": "4 vehicles affected"}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "text": "5 vehicles affected"}, format="json")
    assert stale.status_code == 409
    assert FactVersion.objects.filter(fact=fact).count() == 2


def test_it_needs_the_version_to_edit(client, incident, people):
    fact = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    response = client.patch(reverse("api:fact-detail", args=[fact.pk]), {"text": "4"}, format="json")
    assert response.status_code == 400 and "version" in response.json()["error"]["fields"]


def test_it_retires_a_fact(client, incident, people):
    fact = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    response = client.post(reverse("api:fact-retire", args=[fact.pk]), {"version": 1, "reason": "Wrong"},
                           format="json")
    assert response.status_code == 200 and response.json()["is_retired"] is True


def test_it_shows_the_check_before_submit(client, published, drafted):
    weibo = published("weibo", WEIBO_NOON)
    draft = drafted("wechat", "发布会定于下午3点举行。")
    body = client.get(reverse("api:statement-consistency", args=[draft.pk])).json()
    assert body["is_consistent"] is False and body["gate"] == "consistency"
    (conflict,) = body["conflicts"]
    assert conflict["source"] == "statement" and conflict["source_id"] == weibo.pk
    assert (conflict["theirs"]["value"], conflict["ours"]["value"]) == ("12:00", "15:00")
    assert conflict["source_label"] == "Weibo"


def test_it_refuses_submit_with_the_conflicts_then_takes_an_override(client, published, drafted):
    published("weibo", WEIBO_NOON)
    draft = drafted("wechat", "发布会定于下午3点举行。")
    url = reverse("api:statement-submit", args=[draft.pk])
    refused = client.post(url, {}, format="json")
    assert refused.status_code == 400
    assert any("15:00" in r for r in refused.json()["error"]["fields"]["overrides.consistency"])
    went = client.post(url, {"overrides": {"consistency": "The time moved; Weibo gets a correction"}},
                       format="json")
    assert went.status_code == 200 and went.json()["status"] == "in_review"


def test_it_redlines_two_statements_of_an_incident(client, published, drafted):
    weibo = published("weibo", WEIBO_NOON)
    draft = drafted("wechat", "发布会定于下午3点举行。")
    response = client.get(reverse("api:statement-compare", args=[draft.pk]), {"with": weibo.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["other"] == weibo.pk
    assert {"op": "replace", "old": "3点", "new": "12:00"} in body["changes"]


def test_it_will_not_redline_with_another_incidents_statement(client, drafted, open_incident, people):
    from crisis.services.statements import statement_create

    elsewhere = statement_create(incident=open_incident(), actor=people["responder"], channel="weibo",
                                 kind="holding", body="x")
    draft = drafted("wechat", "y")
    url = reverse("api:statement-compare", args=[draft.pk])
    assert client.get(url, {"with": elsewhere.pk}).status_code == 404
    assert client.get(url, {"with": "abc"}).status_code == 400
    assert client.get(url).status_code == 400
