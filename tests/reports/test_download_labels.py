"""Download links say what the file is: format, language, and when it was generated in the incident's zone."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from crisis.reports.models import ReportFile, ReportStatus
from crisis.reports.services import report_request
from crisis.reports.templatetags.report_format import report_file_label

pytestmark = pytest.mark.django_db

# 03:00 UTC is 11:00 in Shanghai, the hand-built incident's zone.
FINISHED = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def ready(hand_built, people):
    def _ready(fmt: str, language: str, finished_at: datetime = FINISHED) -> ReportFile:
        report = report_request(incident=hand_built, actor=people["responder"], format=fmt, language=language)
        ReportFile.objects.filter(pk=report.pk).update(status=ReportStatus.DONE, finished_at=finished_at, progress=100)
        report.refresh_from_db()
        return report
    return _ready


def _page(client_for, people, incident, language="en") -> str:
    with translation.override(language):
        url = reverse("reports:report", args=[incident.pk])
    return client_for(people["viewer"]).get(url).content.decode()


def test_it_names_format_language_and_zoned_time_on_the_link(ready, hand_built, people, client_for, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 4, 0, tzinfo=UTC), tick=False)
    ready("pdf", "zh-hans")
    ready("md", "en")
    page = _page(client_for, people, hand_built)
    assert "PDF · 简体中文 · generated 2 Dec 11:00 (Asia/Shanghai)</a>" in page
    assert "Markdown · English · generated 2 Dec 11:00 (Asia/Shanghai)</a>" in page
    assert "version 1, " not in page


def test_it_reads_the_link_in_chinese(ready, hand_built, people, client_for, time_machine):
    time_machine.move_to(datetime(2026, 12, 2, 4, 0, tzinfo=UTC), tick=False)
    ready("pdf", "en")
    page = _page(client_for, people, hand_built, "zh-hans")
    assert "PDF · English · 生成于 12月2日 11:00（Asia/Shanghai）</a>" in page


def test_it_adds_the_year_to_a_file_from_another_year(ready, time_machine):
    time_machine.move_to(datetime(2027, 3, 1, tzinfo=UTC), tick=False)
    report = ready("json", "en")
    with translation.override("en"):
        label = report_file_label(report, "Asia/Shanghai")
    assert label == "JSON · English · generated 2 Dec 2026 11:00 (Asia/Shanghai)"


def test_it_shows_a_dash_where_no_file_is_ready(hand_built, people, client_for):
    page = _page(client_for, people, hand_built)
    assert "· generated" not in page
