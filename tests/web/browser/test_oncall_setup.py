"""On-call set up in the desk, without Django's admin: an admin makes a schedule, a rotation, an override and an
escalation policy, then sees who is on call (the override's person in the preview), on a desktop and a phone."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone

from crisis.models import Role
from crisis.oncall.models import EscalationLevel, Override, Rotation
from tests.factories import member

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _expect():
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def admin(org):
    user = member(org, Role.ADMIN, first_name="Admin", last_name="Tester")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_it_sets_up_a_rotation_an_override_and_a_policy_then_shows_who_is_on_call(sign_in, admin, desk_people,
                                                                                   live_server, size):
    expect = _expect()
    page = sign_in(admin, viewport=VIEWPORTS[size])
    page.goto(f"{live_server.url}/oncall/setup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("On-call setup")
    expect(page.get_by_text("No schedule yet")).to_be_visible()

    page.get_by_label("Name").fill("Comms primary")
    page.get_by_label("Time zone").fill("Asia/Shanghai")
    page.get_by_role("button", name="Create schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comms primary")

    today = timezone.now().astimezone(SHANGHAI).date()
    rotation = page.locator("form[action$='/rotations/add/']")
    rotation.get_by_label("Name").fill("Weekly")
    rotation.get_by_label("Members, in order").fill(
        f"{desk_people['responder'].username}\n{desk_people['commander'].username}")
    rotation.get_by_label("First hand-off date").fill((today - timedelta(days=1)).isoformat())
    rotation.get_by_label("Hand-off time").fill("09:00")
    rotation.get_by_label("Shift length (days)").fill("7")
    rotation.get_by_role("button", name="Add rotation").click()
    expect(page.get_by_text("Rotation added.")).to_be_visible()

    tomorrow = today + timedelta(days=1)
    override = page.locator("form[action$='/overrides/add/']")
    override.get_by_label("Who is on call instead").select_option(label="Approver Tester")
    override.get_by_label("From").fill(f"{tomorrow.isoformat()}T08:00")
    override.get_by_label("Until").fill(f"{tomorrow.isoformat()}T20:00")
    override.get_by_label("Reason").fill("Swap for a dentist visit")
    override.get_by_role("button", name="Add override").click()
    expect(page.get_by_text("Override added.")).to_be_visible()

    preview = page.locator("#preview")
    expect(preview).to_contain_text("Approver Tester")
    expect(preview).to_contain_text("Override: Swap for a dentist visit")
    expect(preview).to_contain_text("Responder Tester")
    stored = Override.objects.get()
    assert stored.starts_at.astimezone(SHANGHAI).hour == 8  # typed as a wall time in the schedule's zone
    assert Rotation.objects.get().members.count() == 2

    page.get_by_role("link", name="On-call setup").first.click()
    page.get_by_role("link", name="New escalation policy").click()
    page.get_by_label("Name").fill("Night escalation")
    page.locator("select[name='levels-0-target']").select_option(label="Comms primary")
    page.locator("input[name='levels-0-wait_minutes']").fill("5")
    page.locator("select[name='levels-1-target']").select_option(label="Commander")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text("Escalation policy saved.")).to_be_visible()
    policies = page.locator("section[aria-labelledby='policies']")
    expect(policies).to_contain_text("Night escalation")
    expect(policies).to_contain_text("whoever is on call for Comms primary")
    assert list(EscalationLevel.objects.order_by("position").values_list("target_kind", flat=True)) == [
        "schedule", "incident_role"]

    # Who is on call, as everyone sees it: the desk's on-call page lists the override's person too.
    page.goto(f"{live_server.url}/on-call/")
    expect(page.locator("section", has_text="Comms primary")).to_contain_text("Approver Tester")
    expect(page.get_by_role("link", name=re.compile("Set up schedules"))).to_be_visible()


def test_it_makes_a_token_shows_it_once_and_revokes_it(sign_in, desk_people, live_server):
    expect = _expect()
    page = sign_in(desk_people["responder"], viewport=VIEWPORTS["phone"])
    page.goto(f"{live_server.url}/oncall/me/tokens/")
    expect(page.get_by_text("No tokens.")).to_be_visible()
    page.get_by_label("Name").fill("Listening tool")
    page.get_by_label("Write").check()
    page.get_by_role("button", name="Make token").click()
    secret = page.get_by_label("Token", exact=True)
    expect(secret).to_have_value(re.compile(r"^gh_"))
    page.wait_for_load_state("load")  # oncall.js listens for the click once it has run (a loaded CI clicked first)
    page.get_by_role("button", name="Copy").click()  # oncall.js runs within the Content-Security-Policy
    expect(secret).to_be_focused()

    page.goto(f"{live_server.url}/oncall/me/tokens/")
    expect(page.get_by_label("Token", exact=True)).to_have_count(0)
    expect(page.locator("section[aria-labelledby='my-tokens']")).to_contain_text("read, write")
    page.get_by_role("button", name="Revoke Listening tool").click()
    expect(page.get_by_text("Token revoked: it no longer works.")).to_be_visible()
