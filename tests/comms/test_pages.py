"""The comms pages and the room's comms panel, rendered on the server in English and Chinese.

One HTML serves a 1280 px desktop and a 375 px phone (desk.css): the tables are the desk's stacking
``table-scroll`` tables with ``data-label`` cells, and the forms are plain stacked fields."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.comms.models import FreezeEntry, StatementTemplate
from crisis.models import Statement

pytestmark = pytest.mark.django_db
LANGUAGES = [("en", "", "Comms freeze in effect"), ("zh-hans", "/zh-hans", "通讯冻结生效中")]


def _at(prefix: str, url: str) -> str:
    # reverse() answers in the language the last request activated: do not prefix twice.
    return url if not prefix or url.startswith(prefix + "/") else prefix + url


def _page(client, url: str, prefix: str = "") -> str:
    response = client.get(_at(prefix, url))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize(("language", "prefix", "banner"), LANGUAGES)
def test_the_room_and_the_dashboard_say_the_freeze_is_in_effect_and_what_is_frozen(
        client_for, people, open_incident, frozen, language, prefix, banner):
    frozen()
    incident = open_incident(severity=1, title="Car door would not open")
    client = client_for(people["viewer"])
    for url in (reverse("crisis:incident-room", args=[incident.pk]), reverse("crisis:home")):
        page = _page(client, url, prefix)
        assert banner in page and "@Founder" in page and "Car door would not open" in page


def test_no_banner_when_nothing_serious_is_open(client_for, people, open_incident, frozen):
    frozen()
    incident = open_incident(severity=3)
    page = _page(client_for(people["viewer"]), reverse("crisis:incident-room", args=[incident.pk]))
    assert "Comms freeze in effect" not in page


@pytest.mark.parametrize(("language", "prefix", "banner"), LANGUAGES)
def test_an_admin_adds_and_removes_freeze_entries(client_for, people, language, prefix, banner):
    client = client_for(people["admin"])
    url = reverse("comms:freeze")
    page = _page(client, url, prefix)
    assert 'id="freeze-add"' in page and ("Nothing is on the freeze list." in page or "冻结清单上还没有内容" in page)
    response = client.post(_at(prefix, url), {"action": "add", "channel": "douyin", "account": "Sales livestream",
                                          "note": "", "version": 0})
    assert response.status_code == 302
    page = _page(client, url, prefix)
    assert 'id="freeze-entries"' in page and 'class="table-scroll"' in page and "data-label=" in page
    assert client.post(_at(prefix, url), {"action": "remove", "entry": 0, "version": 1}).status_code == 302
    assert not FreezeEntry.objects.exists()


def test_a_stale_freeze_edit_is_shown_as_a_conflict(client_for, people):
    client = client_for(people["admin"])
    url = reverse("comms:freeze")
    client.post(url, {"action": "add", "channel": "weibo", "version": 0})
    response = client.post(url, {"action": "add", "channel": "douyin", "version": 0})
    assert response.status_code == 409 and "Somebody else changed the freeze list first" in response.content.decode()
    assert list(FreezeEntry.objects.values_list("channel", flat=True)) == ["weibo"]


def test_a_viewer_sees_the_list_but_cannot_change_it(client_for, people, frozen):
    frozen()
    client = client_for(people["viewer"])
    page = _page(client, reverse("comms:freeze"))
    assert "@Founder" in page and 'id="freeze-add"' not in page
    assert client.post(reverse("comms:freeze"), {"action": "add", "channel": "x", "version": 1}).status_code == 403


@pytest.mark.parametrize(("language", "prefix"), [("en", ""), ("zh-hans", "/zh-hans")])
def test_a_responder_logs_an_off_script_post_from_the_room(client_for, people, open_incident, language, prefix):
    incident = open_incident()
    client = client_for(people["responder"])
    room = _page(client, reverse("crisis:incident-room", args=[incident.pk]), prefix)
    url = reverse("comms:off-script-new", args=[incident.pk])
    assert url in room
    form = _page(client, url, prefix)
    assert 'id="off-script-form"' in form and "Asia/Shanghai" in form
    went_out = timezone.localtime(timezone.now() - timedelta(minutes=8), timezone.get_fixed_timezone(480))
    response = client.post(_at(prefix, url), {
        "posted_by": "Founder", "channel": "founder_account", "account": "@Founder",
        "happened_at": went_out.strftime("%Y-%m-%dT%H:%M"), "public_url": "", "body": "樱花真美"})
    assert response.status_code == 302, response.content.decode()[:2000]
    statement = Statement.objects.get()
    assert statement.is_off_script and abs(statement.published_at - went_out) < timedelta(minutes=1)
    room = _page(client, reverse("crisis:incident-room", args=[incident.pk]), prefix)
    assert "off-script" in room or "场外" in room


def test_a_bad_off_script_post_shows_its_reasons_and_writes_nothing(client_for, people, open_incident):
    incident = open_incident()
    response = client_for(people["responder"]).post(reverse("comms:off-script-new", args=[incident.pk]), {
        "posted_by": "Founder", "channel": "founder_account", "happened_at": "2099-01-01T10:00", "body": "x"})
    assert response.status_code == 400 and "This time is in the future." in response.content.decode()
    assert not Statement.objects.exists()


def test_the_chart_marks_an_off_script_post_with_its_own_marker_and_legend(client_for, people, open_incident):
    from crisis.comms.services.off_script import off_script_post_log
    from crisis.services.sentiment import sentiment_checkpoint_record

    incident = open_incident()
    now = timezone.now()
    sentiment_checkpoint_record(incident=incident, actor=people["responder"], measured_at=now - timedelta(minutes=5),
                                source="weibo", negative_share=0.5)
    off_script_post_log(incident=incident, actor=people["responder"], channel="founder_account", posted_by="Founder",
                        body="樱花真美", happened_at=now - timedelta(minutes=3))
    page = _page(client_for(people["viewer"]), reverse("crisis:incident-room", args=[incident.pk]))
    assert '<g class="off-script">' in page and "legend-off-script" in page
    assert 'class="marker"' not in page  # not drawn as the brand's statement too


@pytest.mark.parametrize(("language", "prefix"), [("en", ""), ("zh-hans", "/zh-hans")])
def test_one_click_from_the_room_opens_a_draft_filled_from_a_template(
        client_for, people, open_incident, org, language, prefix):
    incident = open_incident(title="Phone smoking on a train", summary="")
    client = client_for(people["responder"])
    template = StatementTemplate.objects.get(organization=org, kind="holding", language="zh-hans")
    url = reverse("comms:statement-from-template", args=[incident.pk, template.pk])
    assert url in _page(client, reverse("crisis:incident-room", args=[incident.pk]), prefix)
    composer = _page(client, url, prefix)
    assert "我们已关注到关于Phone smoking on a train的信息" in composer and "{what}" not in composer
    response = client.post(_at(prefix, url), {"channel": "weibo", "kind": "holding", "language": "zh-hans",
                                          "title": "", "body": "我们已关注到。"})
    assert response.status_code == 302 and Statement.objects.get().status == "draft"


@pytest.mark.parametrize(("language", "prefix"), [("en", ""), ("zh-hans", "/zh-hans")])
def test_an_admin_edits_a_template(client_for, people, org, language, prefix):
    client = client_for(people["admin"])
    listing = _page(client, reverse("comms:templates"), prefix)
    assert 'id="statement-templates"' in listing and "data-label=" in listing
    template = StatementTemplate.objects.get(organization=org, kind="holding", language="en")
    url = reverse("comms:template-edit", args=[template.pk])
    assert url in listing
    _page(client, url, prefix)
    response = client.post(_at(prefix, url), {"incident_type": "", "title": "Holding", "version": 1,
                                          "body": "We know about {what}. Next update by {next_update}."})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.version == 2 and template.body.startswith("We know about {what}.")
    bad = client.post(_at(prefix, url), {"body": "See {whenever}", "version": 2})
    assert bad.status_code == 400


def test_a_responder_cannot_edit_templates(client_for, people, org):
    template = StatementTemplate.objects.filter(organization=org).first()
    client = client_for(people["responder"])
    assert client.get(reverse("comms:template-edit", args=[template.pk])).status_code == 403
    assert client.post(reverse("comms:template-delete", args=[template.pk])).status_code == 403
    assert StatementTemplate.objects.filter(pk=template.pk).exists()


def test_another_organizations_template_is_not_found(client_for, people):
    from tests.factories import OrganizationFactory

    foreign = StatementTemplate.objects.filter(organization=OrganizationFactory()).first()
    assert client_for(people["admin"]).get(reverse("comms:template-edit", args=[foreign.pk])).status_code == 404


def test_the_commander_publishes_over_the_freeze_from_the_statement_page_with_a_reason(
        client_for, people, open_incident, frozen, approved_on):
    frozen()
    incident = open_incident(severity=2, commander=people["commander"])
    statement = approved_on(incident)
    url = reverse("crisis:statement-action", args=[statement.pk, "publish"])
    refused = client_for(people["commander"]).post(url, {"public_url": "", "published_at": ""})
    assert refused.status_code == 400 and "Comms freeze in effect" in refused.content.decode()
    assert client_for(people["admin"]).post(url, {"override_reason": "Trust me"}).status_code == 400
    published = client_for(people["commander"]).post(url, {"override_reason": "The families asked us to speak"})
    assert published.status_code == 302
    statement.refresh_from_db()
    assert statement.status == "published"
    assert incident.events.filter(metadata__override="freeze").count() == 1
