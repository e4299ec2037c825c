"""Rendering a report keeps the terminal readable: no third-party INFO chatter at the default log level."""

import logging
from datetime import timedelta

import pytest

from crisis.reports.assembly import report_assemble
from crisis.reports.renderers import render_pdf
from tests.deadline_helpers import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(hand_built):
    return report_assemble(incident=hand_built, now=T0 + timedelta(days=2))


def _weasyprint_info(records) -> list[str]:
    return [r.getMessage() for r in records if r.name.startswith("weasyprint") and r.levelno < logging.WARNING]


def test_it_renders_a_pdf_without_weasyprint_info_lines(report, caplog):
    render_pdf(report)
    assert _weasyprint_info(caplog.records) == []


def test_it_would_log_weasyprint_progress_at_info_without_the_setting(report, caplog, monkeypatch):
    # The check above is only worth something if WeasyPrint does talk at INFO when nobody quiets it.
    monkeypatch.setattr(logging.getLogger("weasyprint"), "level", logging.NOTSET)
    with caplog.at_level(logging.INFO):
        render_pdf(report)
    assert any(r.name == "weasyprint.progress" for r in caplog.records)


def test_it_still_lets_weasyprint_warnings_through():
    assert logging.getLogger("weasyprint.progress").isEnabledFor(logging.WARNING)
    assert not logging.getLogger("weasyprint.progress").isEnabledFor(logging.INFO)
