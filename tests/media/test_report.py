"""An incident with inquiries still has a post-mortem report: their reply-by deadlines are owned deadlines, which the
report's schema names among the deadline kinds."""

from datetime import timedelta

import pytest

from crisis.media.services.inquiries import inquiry_answer, inquiry_log
from crisis.reports.assembly import report_assemble
from crisis.reports.renderers import render_html, render_json, render_markdown
from tests.deadline_helpers import T0

pytestmark = pytest.mark.django_db


def test_the_report_lists_an_inquiry_answered_late_and_one_still_open(incident, people, at):
    at(10)
    late = inquiry_log(incident=incident, actor=people["responder"], channel="phone", asker_name="王芳",
                       question="伤者情况？", reply_within_minutes=30)
    inquiry_log(incident=incident, actor=people["responder"], channel="email", asker_name="Tom", question="Model?")
    at(60)
    inquiry_answer(inquiry=late, actor=people["responder"], expected_version=1, answer="正在核实。",
                   answered_at=T0 + timedelta(minutes=50))
    document = report_assemble(incident=incident)
    assert "王芳: 伤者情况？" in render_json(document)
    assert "王芳: 伤者情况？" in render_html(document)
    assert "王芳: 伤者情况？" in render_markdown(document)
