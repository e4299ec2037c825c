"""Sentiment: one checkpoint by hand, or a CSV previewed row by row before anything is recorded."""

import html
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crisis.models import SentimentCheckpoint
from crisis.services.sentiment import sentiment_checkpoint_record
from crisis.services.statements import (
    statement_approve,
    statement_create,
    statement_publish,
    statement_submit_for_review,
)

pytestmark = pytest.mark.django_db


def _local(moment, incident):
    return moment.astimezone(timezone.get_fixed_timezone(0)).strftime("%Y-%m-%dT%H:%M") if incident.time_zone == "UTC" \
        else None


@pytest.fixture
def incident(open_incident):
    return open_incident(time_zone="UTC", first_public_signal_at=timezone.now() - timedelta(hours=2))


def test_it_records_one_checkpoint_in_percent(client_for, people, incident):
    response = client_for(people["responder"]).post(reverse("crisis:sentiment-entry", args=[incident.pk]), {
        "measured_at": _local(timezone.now() - timedelta(minutes=5), incident), "source": "Weibo",
        "negative_share": "62", "mention_volume": "21000"})
    assert response.status_code == 302
    checkpoint = SentimentCheckpoint.objects.get(incident=incident)
    assert (checkpoint.negative_share, checkpoint.mention_volume) == (0.62, 21000)


def test_it_shows_why_a_checkpoint_was_refused(client_for, people, incident):
    response = client_for(people["responder"]).post(reverse("crisis:sentiment-entry", args=[incident.pk]), {
        "measured_at": _local(timezone.now() - timedelta(minutes=5), incident), "source": "Weibo",
        "negative_share": "70", "positive_share": "40"})
    assert response.status_code == 400
    assert "add up to 1.100" in response.content.decode()
    assert not SentimentCheckpoint.objects.exists()


CSV = (
    "measured_at,source,mention_volume,negative_share\n"
    "{t1},Weibo,12000,0.61\n"
    "{t2},Douyin,not-a-number,71%\n"
    "{t3},Weibo,9000,1.7\n"
)


def _csv(incident, body=CSV):
    now = timezone.now()
    return body.format(t1=(now - timedelta(minutes=50)).isoformat(), t2=(now - timedelta(minutes=40)).isoformat(),
                       t3=(now - timedelta(minutes=30)).isoformat())


def test_it_previews_a_csv_with_row_level_errors_and_records_nothing(client_for, people, incident):
    upload = SimpleUploadedFile("export.csv", _csv(incident).encode())
    response = client_for(people["responder"]).post(reverse("crisis:sentiment-upload", args=[incident.pk]),
                                                    {"file": upload})
    content = response.content.decode()
    assert response.status_code == 400
    assert "mention_volume: &#x27;not-a-number&#x27; is not readable." in content
    assert "negative_share: Must be at most 1." in content
    assert content.count('class="row-error"') == 2
    assert not SentimentCheckpoint.objects.exists()


def test_it_records_a_previewed_csv_on_confirmation(client_for, people, incident):
    text = _csv(incident, "measured_at,source,mention_volume,negative_share\n"
                          "{t1},Weibo,12000,0.61\n{t2},Douyin,800,55%\n")
    client = client_for(people["responder"])
    preview = client.post(reverse("crisis:sentiment-upload", args=[incident.pk]), {"text": text})
    assert preview.status_code == 200
    assert "2 rows are ready to record." in preview.content.decode()
    assert not SentimentCheckpoint.objects.exists()
    response = client.post(reverse("crisis:sentiment-upload", args=[incident.pk]), {"text": text, "confirm": "1"})
    assert response.status_code == 302
    assert sorted(SentimentCheckpoint.objects.values_list("negative_share", flat=True)) == [0.55, 0.61]


def test_it_rejects_a_csv_without_the_required_columns(client_for, people, incident):
    response = client_for(people["responder"]).post(reverse("crisis:sentiment-upload", args=[incident.pk]),
                                                    {"text": "when,volume\n1,2\n"})
    assert response.status_code == 400
    assert "Missing columns: measured_at, source." in response.content.decode()


def test_it_charts_negative_share_volume_statements_and_thresholds(client_for, people, incident):
    for minutes, share, volume in ((90, 0.7, 20000), (60, 0.55, 12000)):
        sentiment_checkpoint_record(incident=incident, actor=people["responder"], source="Weibo",
                                    measured_at=timezone.now() - timedelta(minutes=minutes),
                                    negative_share=share, mention_volume=volume)
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body="声明")
    statement_submit_for_review(statement=statement, actor=people["responder"])
    statement_approve(statement=statement, actor=people["approver"])
    statement_publish(statement=statement, actor=people["commander"])
    content = client_for(people["viewer"]).get(reverse("crisis:incident-chart", args=[incident.pk])).content.decode()
    assert content.count('class="dot"') == 2
    assert content.count('class="bar"') == 2
    assert content.count('class="marker"') == 1
    assert 'class="threshold"' in content
    assert '<polyline class="line"' in content


def _upload(client, incident, text, **extra):
    upload = SimpleUploadedFile("export.csv", text.encode())
    return client.post(reverse("crisis:sentiment-upload", args=[incident.pk]), {"file": upload, **extra})


def _one_row(incident, notes):
    moment = (timezone.now() - timedelta(minutes=30)).isoformat()
    return f'measured_at,source,negative_share,notes\n{moment},Weibo,0.5,"{notes}"\n'


def _row_errors(response) -> dict[str, list[str]]:
    """The preview's marked rows: line number -> the problems listed for it."""
    page = response.content.decode()
    marked = re.findall(r'<tr class="row-error"><th scope="row">(\d+)</th>.*?<td>((?:<div>.*?</div>)+)</td></tr>',
                        page, flags=re.S)
    return {line: [html.unescape(e) for e in re.findall(r"<div>(.*?)</div>", problems)] for line, problems in marked}


def test_it_names_a_cell_too_long_for_the_csv_reader_in_the_preview(client_for, people, incident):
    # Python's csv reader stops at 131,072 characters a cell; that is the file's fault, not a server error.
    text = _one_row(incident, "x" * 131_073)
    client = client_for(people["responder"])
    preview = client.post(reverse("crisis:sentiment-upload", args=[incident.pk]), {"text": text})
    confirm = client.post(reverse("crisis:sentiment-upload", args=[incident.pk]), {"text": text, "confirm": "1"})

    assert preview.status_code == confirm.status_code == 400
    assert _row_errors(preview) == {"2": ["notes: At most 10000 characters."]}
    assert not SentimentCheckpoint.objects.exists()


def test_it_names_a_nul_byte_in_the_preview(client_for, people, incident):
    text = _one_row(incident, "reposted\x00by a big account")
    client = client_for(people["responder"])
    preview = _upload(client, incident, text)
    confirm = _upload(client, incident, text, confirm="1")

    assert preview.status_code == confirm.status_code == 400
    assert _row_errors(preview) == {"2": ["notes: contains a NUL character (byte 0), which text cannot hold."]}
    assert not SentimentCheckpoint.objects.exists()


def test_it_names_a_nul_byte_in_a_column_name(client_for, people, incident):
    text = _one_row(incident, "fine").replace("notes", "no\x00tes", 1)
    response = _upload(client_for(people["responder"]), incident, text)

    assert response.status_code == 400
    assert "The header contains a NUL character (byte 0), which text cannot hold." in response.content.decode()


@pytest.mark.parametrize("notes", ["x" * 131_073, "a\x00b", "fine"], ids=["long-cell", "nul", "fine"])
def test_it_refuses_a_viewer_before_reading_the_file(client_for, people, incident, notes):
    response = _upload(client_for(people["viewer"]), incident, _one_row(incident, notes), confirm="1")

    assert response.status_code == 403
    assert "Row 2" not in response.content.decode()
    assert not SentimentCheckpoint.objects.exists()


def test_it_names_a_time_zone_offset_no_clock_uses_in_the_preview(client_for, people, incident):
    # Python reads "+16:00"; PostgreSQL refuses it when the rows are recorded, so the preview must say so.
    moment = (timezone.now() - timedelta(minutes=30)).replace(tzinfo=None).isoformat() + "+16:00"
    text = f"measured_at,source,negative_share\n{moment},Weibo,0.5\n"
    client = client_for(people["responder"])
    preview = client.post(reverse("crisis:sentiment-upload", args=[incident.pk]), {"text": text})
    confirm = client.post(reverse("crisis:sentiment-upload", args=[incident.pk]), {"text": text, "confirm": "1"})

    assert preview.status_code == confirm.status_code == 400
    assert _row_errors(preview) == {"2": ["measured_at: The time zone offset must be between -14:00 and +14:00."]}
    assert not SentimentCheckpoint.objects.exists()
