"""The fact sheet on the desk: the room's panel, its edit page, the check on the statement page, the
any-two redline page."""

import pytest
from django.urls import reverse

from crisis.facts.models import Fact
from crisis.facts.services.facts import fact_add
from crisis.models import AuditEntry, StatementStatus

pytestmark = pytest.mark.django_db


def _room(client, incident) -> str:
    return client.get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()


def test_the_room_shows_an_empty_sheet(client_for, people, incident):
    page = _room(client_for(people["responder"]), incident)
    assert 'id="room-facts"' in page and "No facts yet" in page
    assert reverse("facts:fact-new", args=[incident.pk]) in page


def test_the_room_shows_one_fact(client_for, people, incident):
    fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    page = _room(client_for(people["viewer"]), incident)
    assert "3 vehicles affected" in page
    assert reverse("facts:fact-new", args=[incident.pk]) not in page  # a viewer reads, does not write


def test_the_room_shows_many_facts_in_few_queries(client_for, people, incident, django_assert_max_num_queries):
    client = client_for(people["responder"])
    fact_add(incident=incident, actor=people["responder"], text="fact 0")
    with django_assert_max_num_queries(60) as few:
        _room(client, incident)
    for n in range(1, 40):
        fact_add(incident=incident, actor=people["responder"], text=f"fact {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = _room(client, incident)
    assert "fact 0" in page and "fact 39" in page


def test_the_live_poll_sees_a_new_fact(client_for, people, incident):
    client = client_for(people["responder"])
    before = client.get(reverse("crisis:incident-version", args=[incident.pk])).json()["panels"]["facts"]
    fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    after = client.get(reverse("crisis:incident-version", args=[incident.pk])).json()["panels"]["facts"]
    assert before != after


def test_a_responder_adds_a_fact_from_the_room(client_for, people, incident):
    response = client_for(people["responder"]).post(reverse("facts:fact-new", args=[incident.pk]),
                                                    {"text": "召回12月12日开始"})
    assert response.status_code == 302
    assert Fact.objects.get().text == "召回12月12日开始"


def test_a_blank_fact_is_refused_beside_the_field(client_for, people, incident):
    response = client_for(people["responder"]).post(reverse("facts:fact-new", args=[incident.pk]), {"text": ""})
    assert response.status_code == 400 and not Fact.objects.exists()


def test_a_stale_edit_is_refused_on_the_page(client_for, people, incident):
    fact = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    client = client_for(people["responder"])
    url = reverse("facts:fact-edit", args=[fact.pk])
    assert client.post(url, {"text": "4 vehicles affected", "expected_version": 1}).status_code == 302
    stale = client.post(url, {"text": "5 vehicles affected", "expected_version": 1})
    assert stale.status_code == 409 and "Somebody else changed this fact first" in stale.content.decode()
    page = client.get(reverse("facts:fact-detail", args=[fact.pk])).content.decode()
    assert "3 vehicles affected" in page and "4 vehicles affected" in page  # the history


def test_retiring_takes_it_off_the_room(client_for, people, incident):
    fact = fact_add(incident=incident, actor=people["responder"], text="Doors unlock mechanically")
    client = client_for(people["responder"])
    client.post(reverse("facts:fact-retire", args=[fact.pk]), {"expected_version": 1, "reason": "Withdrawn"})
    assert f'data-fact="{fact.pk}"' not in _room(client, incident)


def test_the_statement_page_loads_the_check_and_its_override_field(client_for, people, published, drafted):
    published("weibo", "发布会定于中午12:00举行。")
    draft = drafted("wechat", "发布会定于下午3点举行。")
    client = client_for(people["responder"])
    page = client.get(reverse("crisis:statement-detail", args=[draft.pk])).content.decode()
    assert reverse("facts:statement-consistency", args=[draft.pk]) in page
    assert 'id="statement-submit-form"' in page
    check = client.get(reverse("facts:statement-consistency", args=[draft.pk])).content.decode()
    assert "中午12:00" in check and "下午3点" in check
    assert 'name="override_consistency"' in check and 'form="statement-submit-form"' in check


def test_the_check_says_when_all_agrees(client_for, people, drafted):
    draft = drafted("wechat", "发布会定于下午3点举行。")
    check = client_for(people["responder"]).get(reverse("facts:statement-consistency", args=[draft.pk]))
    assert "No conflict found" in check.content.decode()


def test_submit_from_the_page_is_refused_then_goes_with_a_reason(client_for, people, published, drafted):
    published("weibo", "发布会定于中午12:00举行。")
    draft = drafted("wechat", "发布会定于下午3点举行。")
    client = client_for(people["responder"])
    url = reverse("crisis:statement-action", args=[draft.pk, "submit"])
    refused = client.post(url, {})
    assert refused.status_code == 400 and "Weibo said" in refused.content.decode()
    went = client.post(url, {"override_consistency": "Time moved; Weibo gets a correction"})
    assert went.status_code == 302
    draft.refresh_from_db()
    assert draft.status == StatementStatus.IN_REVIEW
    assert AuditEntry.objects.get(action="statement.override").changes["reason"].startswith("Time moved")


def test_the_compare_page_redlines_two_statements(client_for, people, published, drafted):
    weibo = published("weibo", "发布会定于中午12:00举行。")
    draft = drafted("wechat", "发布会定于下午3点举行。")
    client = client_for(people["viewer"])
    page = client.get(reverse("crisis:statement-detail", args=[draft.pk])).content.decode()
    assert reverse("facts:statement-compare", args=[draft.pk]) in page
    compared = client.get(reverse("facts:statement-compare", args=[draft.pk]), {"with": weibo.pk})
    assert compared.status_code == 200
    assert "<del>3点</del>" in compared.content.decode() and "<ins>12:00</ins>" in compared.content.decode()
    assert client.get(reverse("facts:statement-compare", args=[draft.pk]), {"with": 999999}).status_code == 404


def test_the_compare_page_with_no_other_statement(client_for, people, drafted):
    draft = drafted("wechat", "x")
    page = client_for(people["viewer"]).get(reverse("facts:statement-compare", args=[draft.pk])).content.decode()
    assert "only statement" in page


def test_a_refused_submit_says_where_the_page_takes_the_reason_not_the_api_s_key(client_for, people, published,
                                                                                   drafted):
    published("weibo", "发布会定于中午12:00举行。")
    draft = drafted("wechat", "发布会定于下午3点举行。")
    refused = client_for(people["responder"]).post(reverse("crisis:statement-action", args=[draft.pk, "submit"]), {})
    page = refused.content.decode()
    assert refused.status_code == 400 and "Weibo said" in page
    assert "overrides.consistency" not in page
    assert "To go ahead anyway, say why in the box for it on this page and try again." in page
