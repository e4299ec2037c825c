"""On a phone, the statement page shows what the draft says differently from another channel before it is
submitted, and takes the reason to go ahead anyway (crisis/facts)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.models import StatementStatus
from crisis.services.incidents import incident_open
from crisis.services.statements import statement_create, statement_record_published

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def test_it_shows_the_conflict_and_submits_over_it_with_a_reason(sign_in, desk_people, org, live_server):
    incident = incident_open(organization=org, actor=desk_people["commander"], title="Doors would not open",
                             first_public_signal_at=timezone.now() - timedelta(minutes=30))
    statement_record_published(incident=incident, actor=desk_people["commander"], channel="weibo", kind="holding",
                               body="发布会定于中午12:00举行。", published_at=timezone.now() - timedelta(minutes=5))
    draft = statement_create(incident=incident, actor=desk_people["responder"], channel="wechat", kind="update",
                             body="关于车门问题，发布会定于下午3点举行，届时公布调查进展。")

    page = sign_in(desk_people["responder"], viewport=PHONE)
    page.goto(live_server.url + reverse("crisis:statement-detail", args=[draft.pk]))
    conflicts = page.locator(".consistency-conflicts")
    conflicts.wait_for()
    assert "中午12:00" in conflicts.inner_text() and "下午3点" in conflicts.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_label("To go ahead anyway, say why").fill("Conference moved to 15:00; Weibo correction follows")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.status == StatementStatus.IN_REVIEW
