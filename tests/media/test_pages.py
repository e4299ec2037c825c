"""The media desk's pages: the room's inquiries panel (none, one, many), logging, answering and closing an inquiry,
briefing stakeholders, and the stakeholder list with its CSV upload."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisis.media.models import Briefing, Inquiry, InquiryState, Stakeholder
from crisis.media.services.inquiries import inquiry_log
from crisis.selectors import local_time
from tests.deadline_helpers import T0

pytestmark = pytest.mark.django_db


def room(client, incident) -> str:
    response = client.get(reverse("crisis:incident-room", args=[incident.pk]))
    assert response.status_code == 200
    return response.content.decode()


def log_many(incident, people, n):
    for i in range(n):
        inquiry_log(incident=incident, actor=people["responder"], channel="wechat", asker_name=f"记者 {i}",
                    question=f"问题 {i}", reply_within_minutes=30 + i)


def test_the_room_says_when_there_are_no_inquiries(client_for, people, incident, at):
    at(10)
    page = room(client_for(people["viewer"]), incident)
    assert 'id="room-inquiries"' in page and "No open inquiries." in page
    assert "Log an inquiry" not in page  # a viewer may read, not log


def test_the_room_shows_one_open_inquiry_with_its_reply_by_countdown(client_for, people, incident, at):
    at(10)
    log_many(incident, people, 1)
    page = room(client_for(people["responder"]), incident)
    reply_by = Inquiry.objects.get().reply_by
    assert "记者 0" in page and f'data-due="{reply_by.isoformat()}"' in page
    assert "Log an inquiry" in page


def test_the_room_lists_many_in_the_same_number_of_queries(client_for, people, incident, at,
                                                           django_assert_max_num_queries):
    at(10)
    client = client_for(people["responder"])
    log_many(incident, people, 2)
    room(client, incident)
    with CaptureQueriesContext(connection) as few:
        room(client, incident)
    log_many(incident, people, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = room(client, incident)
    assert page.count('class="deadline inquiry"') == 20
    assert "More open inquiries than shown" in page


def test_the_live_poll_notices_a_new_inquiry(client_for, people, incident, at):
    at(10)
    client = client_for(people["responder"])
    before = client.get(reverse("crisis:incident-version", args=[incident.pk])).json()["panels"]["inquiries"]
    log_many(incident, people, 1)
    after = client.get(reverse("crisis:incident-version", args=[incident.pk])).json()["panels"]["inquiries"]
    assert before != after
    fetched = client.get(reverse("crisis:incident-panels", args=[incident.pk]), {"panel": "inquiries"}).content
    assert 'hx-swap-oob="true"' in fetched.decode()


def test_a_responder_logs_an_inquiry_late_from_the_room(client_for, people, incident, at):
    at(50)
    response = client_for(people["responder"]).post(reverse("crisis_media:inquiry-new", args=[incident.pk]), {
        "asker_name": "王芳 (新京报)", "channel": "phone", "question": "伤者情况如何？",
        "asked_at": local_time(T0 + timedelta(minutes=10), incident.time_zone).strftime("%Y-%m-%dT%H:%M"),
        "reply_within_minutes": "30", "owner": str(people["approver"].pk)})
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.owner == people["approver"]
    # The time typed is read on the incident's wall clock; its reply was due before it was logged.
    assert (inquiry.asked_at, inquiry.reply_by) == (T0 + timedelta(minutes=10), T0 + timedelta(minutes=40))


def test_a_refused_log_comes_back_with_the_reason_beside_the_field(client_for, people, incident, at):
    at(10)
    response = client_for(people["responder"]).post(reverse("crisis_media:inquiry-new", args=[incident.pk]), {
        "asker_name": "", "channel": "phone", "question": "伤者情况如何？", "reply_within_minutes": "30"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Inquiry.objects.exists()


def test_the_inquiry_page_answers_and_a_stale_form_is_refused(client_for, people, incident, at, published):
    at(10)
    log_many(incident, people, 1)
    inquiry = Inquiry.objects.get()
    client = client_for(people["responder"])
    page = client.get(reverse("crisis_media:inquiry-detail", args=[inquiry.pk])).content.decode()
    assert "问题 0" in page and "Record answer" in page
    answer = reverse("crisis_media:inquiry-action", args=[inquiry.pk, "answer"])
    response = client.post(answer, {"version": "1", "answer": "见声明。", "statement": str(published.pk)})
    assert response.status_code == 302
    assert Inquiry.objects.get().state == InquiryState.ANSWERED
    stale = client.post(reverse("crisis_media:inquiry-action", args=[inquiry.pk, "close"]),
                        {"version": "1", "reason": "duplicate"})
    assert stale.status_code == 409
    assert Inquiry.objects.get().state == InquiryState.ANSWERED


def test_a_viewer_cannot_close_an_inquiry(client_for, people, incident, at):
    at(10)
    log_many(incident, people, 1)
    inquiry = Inquiry.objects.get()
    response = client_for(people["viewer"]).post(reverse("crisis_media:inquiry-action", args=[inquiry.pk, "close"]),
                                                 {"version": "1", "reason": "duplicate"})
    assert response.status_code == 403
    assert Inquiry.objects.get().state == InquiryState.OPEN


def test_an_outsider_cannot_see_an_inquiry(client_for, people, incident, at):
    at(10)
    log_many(incident, people, 1)
    response = client_for(people["outsider"]).get(
        reverse("crisis_media:inquiry-detail", args=[Inquiry.objects.get().pk]))
    assert response.status_code == 404


def test_briefing_from_the_room_is_shown_on_the_incident(client_for, people, incident, at, published, journalist):
    at(30)
    client = client_for(people["responder"])
    assert "Brief stakeholders" in room(client, incident)
    response = client.post(reverse("crisis_media:brief", args=[incident.pk]),
                           {"statement": str(published.pk), "tags": ["press"]})
    assert response.status_code == 302
    assert Briefing.objects.get().recipient_count == 1
    page = room(client, incident)
    assert f'data-briefing="{Briefing.objects.get().pk}"' in page and "1 stakeholder" in page


def test_the_stakeholder_page_lists_adds_and_filters_by_tag(client_for, people, journalist, regulator):
    client = client_for(people["responder"])
    page = client.get(reverse("crisis_media:stakeholders")).content.decode()
    assert "李娜" in page and "Market regulator desk" in page
    filtered = client.get(reverse("crisis_media:stakeholders"), {"tag": "regulators"}).content.decode()
    assert "Market regulator desk" in filtered and "li.na@caixin.example" not in filtered
    response = client.post(reverse("crisis_media:stakeholder-new"),
                           {"name": "Tom", "kind": "journalist", "channel": "email", "language": "en",
                            "email": "tom@x.example", "tags": "press, 英文"})
    assert response.status_code == 302
    assert Stakeholder.objects.get(email="tom@x.example").tags == ["press", "英文"]


def test_the_stakeholder_page_says_when_the_list_is_empty(client_for, people):
    page = client_for(people["viewer"]).get(reverse("crisis_media:stakeholders")).content.decode()
    assert 'id="no-stakeholders"' in page and "Import a CSV" not in page


def test_editing_a_stakeholder_on_a_stale_form_is_refused(client_for, people, journalist):
    client = client_for(people["responder"])
    url = reverse("crisis_media:stakeholder-edit", args=[journalist.pk])
    form = {"version": "1", "name": "李娜", "outlet": "财新", "kind": "journalist", "channel": "email",
            "language": "zh-hans", "email": "li.na@caixin.example", "tags": "press"}
    assert client.post(url, form).status_code == 302
    assert client.post(url, {**form, "outlet": "Other"}).status_code == 409
    assert Stakeholder.objects.get().outlet == "财新"


def test_uploading_a_csv_with_a_bom_and_chinese_headers(client_for, people):
    text = "\ufeff姓名,类型,邮箱,标签\n王芳,记者,wang@bjnews.example,媒体\n"
    upload = SimpleUploadedFile("list.csv", text.encode("utf-8"), content_type="text/csv")
    response = client_for(people["responder"]).post(reverse("crisis_media:stakeholder-upload"), {"file": upload})
    assert response.status_code == 302
    assert Stakeholder.objects.get().kind == "journalist"


def test_a_bad_upload_lists_each_line_and_writes_nothing(client_for, people):
    text = "name,kind,email\nA,kol,a@x.example\nB,spy,b@x.example\n"
    response = client_for(people["responder"]).post(reverse("crisis_media:stakeholder-upload"), {"text": text})
    assert response.status_code == 400
    assert "line_3.kind" in response.content.decode()
    assert not Stakeholder.objects.exists()


def test_the_brief_page_says_when_nothing_is_published_yet(client_for, people, incident, at, journalist):
    at(10)
    page = client_for(people["responder"]).get(reverse("crisis_media:brief", args=[incident.pk])).content.decode()
    assert 'id="nothing-published"' in page


def test_the_full_log_form_offers_the_stakeholder_list_and_the_members(client_for, people, incident, at, journalist):
    at(10)
    page = client_for(people["responder"]).get(reverse("crisis_media:inquiry-new", args=[incident.pk]))
    assert page.status_code == 200
    assert "李娜 (财新)" in page.content.decode() and people["approver"].username in page.content.decode()


def test_the_inquiry_countdown_runs_on_the_server_clock_in_the_reader_s_units(client_for, people, incident, at):
    """A drill moves the server's clock; the countdown must follow it, not the browser's, and say 分钟 in Chinese."""
    moved = at(10)
    log_many(incident, people, 1)
    client = client_for(people["responder"])
    page = client.get(f"/zh-hans/media/inquiries/{Inquiry.objects.get().pk}/").content.decode()
    assert f'data-server-now="{moved.isoformat()}"' in page
    assert 'data-unit-min="%(n)d 分钟"' in page
