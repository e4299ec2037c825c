

import pytest

from crisis.reports import renderers
from crisis.reports.models import ReportFile, ReportStatus
from crisis.reports.services import report_request
from crisis.reports.tasks import report_generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(hand_built, people):
    def _queue(fmt="md"):
        return report_request(incident=hand_built, actor=people["responder"], format=fmt)
    return _queue


def test_it_generates_and_stores_the_report(queue):
    report = queue("pdf")
    report_generate.apply(args=[report.pk])
    report.refresh_from_db()
    assert (report.status, report.progress, report.file.read(5)) == (ReportStatus.DONE, 100, b"%PDF-")


def test_it_keeps_only_the_last_version_of_a_format(queue):
    first, second = queue(), queue()
    for report in (first, second):
        report_generate.apply(args=[report.pk])
    assert list(ReportFile.objects.values_list("number", flat=True)) == [2]


def test_it_does_nothing_when_the_task_is_delivered_twice(queue):
    report = queue()
    report_generate.apply(args=[report.pk])
    assert report_generate.apply(args=[report.pk]).get() is None


def test_it_leaves_a_fresh_run_to_the_worker_that_has_it(queue):
    report = queue()
    ReportFile.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, started_at=report.requested_at,
                                                   attempt=1)
    assert report_generate.apply(args=[report.pk]).get() is None


def test_it_takes_over_a_run_whose_worker_died(queue, at):
    at(0)
    report = queue()
    ReportFile.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, started_at=report.requested_at,
                                                   attempt=1)
    at(11)
    report_generate.apply(args=[report.pk])
    report.refresh_from_db()
    assert (report.status, report.attempt) == (ReportStatus.DONE, 2)


def test_it_records_a_failed_run(queue, monkeypatch):
    report = queue()

    def broken(_report):
        raise RuntimeError("pango missing")

    monkeypatch.setitem(renderers.RENDERERS, "md", broken)
    report_generate.apply(args=[report.pk])
    report.refresh_from_db()
    assert (report.status, report.error) == (ReportStatus.FAILED, "RuntimeError: pango missing")


def test_it_reports_progress_while_it_works(queue, monkeypatch):
    report = queue()
    seen = []

    def spy(data):
        seen.append(ReportFile.objects.get(pk=report.pk).progress)
        return "x"

    monkeypatch.setitem(renderers.RENDERERS, "md", spy)
    report_generate.apply(args=[report.pk])
    assert seen == [80]


def test_it_queues_the_task_after_the_request_commits(hand_built, people, settings, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    settings.GOLDEN_HOURS_SEND_TIMERS = True
    sent = []
    monkeypatch.setattr(report_generate, "delay", lambda report_id: sent.append(report_id))
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(incident=hand_built, actor=people["responder"], format="json")
    assert sent == [report.pk]


