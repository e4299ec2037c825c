"""Finding a past incident and clearing the approval queue, in a real browser on a desk and on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crisis.models import IncidentStatus, StatementStatus
from crisis.services.incidents import incident_open
from crisis.services.statements import statement_create, statement_submit_for_review
from tests.factories import IncidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def _expect():
    from playwright.sync_api import expect

    return expect


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_it_finds_an_incident_by_a_word_of_its_title_and_narrows_by_status(sign_in, desk_people, org, live_server,
                                                                            device):
    expect = _expect()
    now = timezone.now()
    IncidentFactory(organization=org, title="Phone smoking on a train", status=IncidentStatus.CLOSED,
                    first_public_signal_at=now - timedelta(days=40))
    IncidentFactory(organization=org, title="Train delay rant goes viral", status=IncidentStatus.ACTIVE,
                    first_public_signal_at=now - timedelta(days=2))
    IncidentFactory(organization=org, title="Price tag error", status=IncidentStatus.CLOSED,
                    first_public_signal_at=now - timedelta(days=1))
    page = sign_in(desk_people["viewer"], viewport=VIEWPORTS[device])
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="All incidents, past and present").click()
    rows = page.locator("#incident-list tbody tr")
    expect(rows).to_have_count(3)

    page.get_by_label("Search").fill("train")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Train delay rant goes viral")  # newest first

    page.get_by_label("Status").select_option("closed")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Phone smoking on a train")
    rows.first.get_by_role("link", name="Phone smoking on a train").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phone smoking on a train")


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_it_shows_a_submitted_statement_in_the_approvers_queue_and_approves_it_there(sign_in, desk_people, org,
                                                                                      live_server, device):
    expect = _expect()
    incident = incident_open(organization=org, actor=desk_people["commander"], title="Phone smoking on a train",
                             first_public_signal_at=timezone.now() - timedelta(minutes=5), severity=2)
    statement = statement_create(incident=incident, actor=desk_people["responder"], channel="weibo",
                                 kind="holding", body="我们已关注到列车上手机冒烟的视频，正在调查。")
    statement_submit_for_review(statement=statement, actor=desk_people["responder"])

    page = sign_in(desk_people["approver"], viewport=VIEWPORTS[device])
    queue = page.locator("#approval-queue")
    expect(queue).to_contain_text("Waiting for your approval")
    row = queue.locator(f'tr[data-statement="{statement.pk}"]')
    expect(row).to_contain_text("Phone smoking on a train")
    expect(row).to_contain_text("Weibo")
    expect(row).to_contain_text("Responder Tester")
    expect(row).to_contain_text("min")
    row.get_by_role("button", name="Approve").click()

    expect(queue).to_contain_text("Nothing is waiting for your approval.")
    expect(page.locator(".messages")).to_contain_text("Approved:")
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED
