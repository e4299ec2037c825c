"""The post-mortem's "Promises kept": on time, late by how much, broken, withdrawn with the reason."""

import json

import pytest

from crisis.commitments.services.changes import commitment_confirm
from crisis.commitments.services.keeping import commitment_keep, commitment_withdraw
from crisis.reports.assembly import json_ready, report_assemble
from crisis.reports.renderers import render_html, render_json, render_markdown

from .conftest import minutes

pytestmark = pytest.mark.django_db


def _promise(incident, people, published, text, at):
    statement, (suggestion,) = published(incident, text, at=at)
    return commitment_confirm(commitment=suggestion, actor=people["responder"])


def test_an_incident_without_promises_says_so(commanded_incident):
    report = report_assemble(incident=commanded_incident())
    assert report["promises"] == []
    assert "No promise was made in public." in render_html(report)


def test_it_tells_each_promise_s_fate(commanded_incident, people, published, at):
    incident = commanded_incident()
    at(12)
    on_time = _promise(incident, people, published, "我们将在30分钟内公布调查进展。", 10)
    late = _promise(incident, people, published, "We will publish the lab results within 1 hour.", 11)
    broken = _promise(incident, people, published, "我们将在2小时内向市场监管部门提交说明。", 11)
    withdrawn = _promise(incident, people, published, "我们将在3小时内公布赔偿方案。", 11)
    at(100)
    update, _ = published(incident, "调查进展：初步确认为电池故障。", at=30)
    commitment_keep(commitment=on_time, actor=people["responder"], kept_by_statement=update)
    lab, _ = published(incident, "Lab results: the battery cell was faulty.", at=96)
    commitment_keep(commitment=late, actor=people["responder"], kept_by_statement=lab)
    commitment_withdraw(commitment=withdrawn, actor=people["commander"], reason="监管部门要求暂缓公布")
    report = report_assemble(incident=incident, now=minutes(200))
    rows = {row["id"]: row for row in report["promises"]}
    assert (rows[on_time.pk]["outcome"], rows[on_time.pk]["late_minutes"]) == ("kept", 0)
    assert (rows[late.pk]["outcome"], rows[late.pk]["late_minutes"]) == ("kept_late", 25)
    assert rows[broken.pk]["outcome"] == "broken"
    assert rows[withdrawn.pk]["outcome"] == "withdrawn"
    assert rows[withdrawn.pk]["withdrawn_reason"] == "监管部门要求暂缓公布"
    html = render_html(report)
    assert "Kept late by 25 min" in " ".join(html.split())
    assert "监管部门要求暂缓公布" in render_markdown(report)
    assert json.loads(render_json(report))["promises"][0]["outcome"] == "kept"
    json_ready(report)
