"""The livestream and hot-search measures on the entry form, in a CSV upload and in the CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.models import SentimentCheckpoint
from crisis.services.sentiment import sentiment_checkpoint_correct, sentiment_checkpoint_record
from crisis.web.csv_import import KNOWN_COLUMNS, csv_preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(open_incident):
    return open_incident(time_zone="Asia/Shanghai", first_public_signal_at=timezone.now() - timedelta(hours=2))


def _wall(moment, incident):
    return moment.astimezone(timezone.get_fixed_timezone(480)).strftime("%Y-%m-%dT%H:%M")


def test_it_records_the_livestream_share_in_percent_from_the_form(client_for, people, incident):
    response = client_for(people["responder"]).post(reverse("crisis:sentiment-entry", args=[incident.pk]), {
        "measured_at": _wall(timezone.now() - timedelta(minutes=5), incident), "source": "Douyin live",
        "livestream_comment_count": "48000", "livestream_negative_share": "83", "hot_search_minutes": "95"})

    assert response.status_code == 302
    checkpoint = SentimentCheckpoint.objects.get(incident=incident)
    assert (checkpoint.livestream_comment_count, checkpoint.livestream_negative_share,
            checkpoint.hot_search_minutes) == (48000, 0.83, 95)


def test_the_form_shows_why_a_hot_search_time_was_refused_and_records_nothing(client_for, people, incident):
    response = client_for(people["responder"]).post(reverse("crisis:sentiment-entry", args=[incident.pk]), {
        "measured_at": _wall(timezone.now() - timedelta(minutes=5), incident), "source": "Weibo",
        "hot_search_minutes": "600000"})

    assert response.status_code == 400
    assert "Must be at most 525600." in response.content.decode()
    assert not SentimentCheckpoint.objects.exists()


def test_the_form_offers_the_three_new_fields(client_for, people, incident):
    content = client_for(people["responder"]).get(reverse("crisis:sentiment-entry", args=[incident.pk])).content
    for name in ("livestream_comment_count", "livestream_negative_share", "hot_search_minutes"):
        assert f'name="{name}"'.encode() in content


def test_a_csv_upload_reads_the_new_columns_and_names_a_bad_cell():
    text = ("measured_at,source,livestream_comment_count,livestream_negative_share,hot_search_minutes\n"
            "2026-12-02T10:00,Douyin live,\"48,000\",83%,95\n"
            "2026-12-02T10:30,Douyin live,100,0.5,-4\n")
    preview = csv_preview(text, zone="Asia/Shanghai")

    assert preview.rows[0].point["livestream_comment_count"] == 48000
    assert preview.rows[0].point["livestream_negative_share"] == pytest.approx(0.83)
    assert preview.rows[0].point["hot_search_minutes"] == 95
    assert preview.rows[1].errors == ["hot_search_minutes: Must be at least 0."]


def test_the_csv_export_has_the_upload_columns_and_reads_back_the_same(client_for, people, incident):
    measured = timezone.now() - timedelta(minutes=70)
    original = sentiment_checkpoint_record(incident=incident, actor=people["responder"], source="Douyin live",
                                           measured_at=measured, negative_share=0.4, livestream_comment_count=48000,
                                           livestream_negative_share=0.83, hot_search_minutes=95)
    # The export shows the record as it stands: the correction, not the line it replaced.
    sentiment_checkpoint_correct(checkpoint=original, actor=people["responder"], hot_search_minutes=110)
    response = client_for(people["viewer"]).get(reverse("crisis:sentiment-export", args=[incident.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == KNOWN_COLUMNS
    assert len(rows) == 1
    assert rows[0]["measured_at"].endswith("+08:00")
    preview = csv_preview(text, zone="UTC")
    assert preview.is_valid, [row.errors for row in preview.rows]
    point = preview.points[0]
    assert point["measured_at"] == measured.replace(microsecond=measured.microsecond)
    assert (point["livestream_comment_count"], point["livestream_negative_share"], point["hot_search_minutes"],
            point["negative_share"]) == (48000, 0.83, 110, 0.4)


def test_the_csv_export_of_an_incident_without_checkpoints_is_its_header(client_for, people, incident):
    response = client_for(people["viewer"]).get(reverse("crisis:sentiment-export", args=[incident.pk]))
    assert response.content.decode().strip() == ",".join(KNOWN_COLUMNS)


def test_the_csv_export_is_not_shown_to_another_organization(client_for, people, incident):
    response = client_for(people["outsider"]).get(reverse("crisis:sentiment-export", args=[incident.pk]))
    assert response.status_code == 404
