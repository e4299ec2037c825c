"""On-call setup pages: admins set up schedules, rotations, overrides and policies; others read; bad input comes
back on the form beside its field, never as a 500 or a half-written record; query counts stay flat."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse

from crisis.models import Role
from crisis.oncall.models import EscalationLevel, EscalationPolicy, Override, Rotation, RotationMember, Schedule
from tests.factories import member

from .factories import ContactMethodFactory, ScheduleFactory, policy_with, rotation_with

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
SETUP = reverse("oncall_desk:setup")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin_client(client_for, people):
    return client_for(people["admin"])


@pytest.fixture
def schedule(org):
    return ScheduleFactory(organization=org, name="Comms primary", time_zone="Asia/Shanghai")


def rotation_post(client, schedule, **fields):
    data = {"name": "Weekly", "members": "", "starts_on": "2026-11-30", "handoff_time": "09:00",
            "length_days": "7", "position": ""}
    data.update(fields)
    return client.post(reverse("oncall_desk:rotation-add", args=[schedule.pk]), data)


def override_post(client, schedule, **fields):
    data = {"user": "", "starts_at": "", "ends_at": "", "reason": ""}
    data.update(fields)
    return client.post(reverse("oncall_desk:override-add", args=[schedule.pk]), data)


def policy_post(client, url, *, levels, **fields):
    data = {"name": "Night", "repeat": "0", "levels-TOTAL_FORMS": str(len(levels)), "levels-INITIAL_FORMS": "0",
            "levels-MIN_NUM_FORMS": "0", "levels-MAX_NUM_FORMS": "20"}
    for n, (target, minutes) in enumerate(levels):
        data[f"levels-{n}-target"] = target
        data[f"levels-{n}-wait_minutes"] = str(minutes)
    data.update(fields)
    return client.post(url, data)


# --- Creating through the pages ---------------------------------------------------------------------------------

def test_it_creates_a_schedule_and_goes_to_it(admin_client, org):
    response = admin_client.post(reverse("oncall_desk:schedule-add"), {"name": "Comms", "time_zone": "Europe/London"})
    schedule = Schedule.objects.get()
    assert response.status_code == 302 and response.url == reverse("oncall_desk:schedule", args=[schedule.pk])
    assert (schedule.organization, schedule.time_zone) == (org, "Europe/London")


def test_it_gives_the_schedule_form_back_with_the_zone_error(admin_client):
    response = admin_client.post(reverse("oncall_desk:schedule-add"), {"name": "Comms", "time_zone": "Mars/Base"})
    assert response.status_code == 400
    assert "is not a known IANA time zone" in response.content.decode()
    assert not Schedule.objects.exists()


def test_it_adds_a_rotation_with_members_in_the_order_typed(admin_client, people, schedule):
    response = rotation_post(admin_client, schedule,
                             members=f"{people['commander'].username}\n{people['viewer'].username}, "
                                     f"{people['admin'].username}")
    assert response.status_code == 302
    rotation = Rotation.objects.get()
    assert list(rotation.members.order_by("position").values_list("user_id", flat=True)) == [
        people["commander"].pk, people["viewer"].pk, people["admin"].pk]


def test_it_gives_the_rotation_form_back_for_a_stranger_and_writes_nothing(admin_client, people, schedule):
    response = rotation_post(admin_client, schedule, members=f"{people['viewer'].username}\nnobody-here")
    assert response.status_code == 400
    assert "Not members of the organization: nobody-here." in response.content.decode()
    assert not Rotation.objects.exists() and not RotationMember.objects.exists()


def test_it_gives_the_rotation_form_back_for_a_zero_length(admin_client, people, schedule):
    response = rotation_post(admin_client, schedule, members=people["viewer"].username, length_days="0")
    assert response.status_code == 400
    assert 'id="id_length_days_error"' in response.content.decode() or "greater than or equal to 1" in \
        response.content.decode()
    assert not Rotation.objects.exists()


def test_it_reads_override_times_as_wall_times_in_the_schedule_zone(admin_client, people, org):
    schedule = ScheduleFactory(organization=org, time_zone="Europe/London")
    response = override_post(admin_client, schedule, user=people["viewer"].pk, starts_at="2027-03-27T22:00",
                             ends_at="2027-03-28T10:00", reason="Holiday")
    assert response.status_code == 302
    override = Override.objects.get()
    # Before the clocks go forward 22:00 is 22:00 UTC; after it, 10:00 is 09:00 UTC.
    assert (override.starts_at, override.ends_at) == (datetime(2027, 3, 27, 22, tzinfo=UTC),
                                                       datetime(2027, 3, 28, 9, tzinfo=UTC))


def test_it_refuses_an_override_at_a_time_the_clocks_skip(admin_client, people, org):
    schedule = ScheduleFactory(organization=org, time_zone="Europe/London")
    response = override_post(admin_client, schedule, user=people["viewer"].pk, starts_at="2027-03-28T01:30",
                             ends_at="2027-03-28T10:00")
    assert response.status_code == 400
    assert "This time does not exist in Europe/London" in response.content.decode()
    assert not Override.objects.exists()


def test_it_gives_the_override_form_back_when_it_ends_before_it_starts(admin_client, people, schedule):
    response = override_post(admin_client, schedule, user=people["viewer"].pk, starts_at="2026-12-03T10:00",
                             ends_at="2026-12-03T09:00")
    assert response.status_code == 400
    assert "An override must end after it starts." in response.content.decode()
    assert not Override.objects.exists()


def test_it_shows_the_override_person_in_the_preview(admin_client, people, schedule):
    rotation_with(schedule, [people["viewer"]], starts_on=date(2026, 11, 1))
    people["approver"].first_name, people["approver"].last_name = "Wang", "Fang"
    people["approver"].save()
    override_post(admin_client, schedule, user=people["approver"].pk, starts_at="2026-12-02T08:00",
                  ends_at="2026-12-02T20:00", reason="Swap")
    body = admin_client.get(reverse("oncall_desk:schedule", args=[schedule.pk])).content.decode()
    preview = body[body.index('id="preview"'):body.index('aria-labelledby="rotations"')]
    assert "Wang Fang" in preview and "Override: Swap" in preview


def test_it_edits_a_rotation_and_refuses_a_stale_version(admin_client, people, schedule):
    rotation = rotation_with(schedule, [people["viewer"]])
    url = reverse("oncall_desk:rotation-edit", args=[schedule.pk, rotation.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and people["viewer"].username in page.content.decode()
    fields = {"name": "Renamed", "members": people["admin"].username, "starts_on": "2026-11-30",
              "handoff_time": "08:00", "length_days": "1", "position": "0", "version": "1"}
    assert admin_client.post(url, fields).status_code == 302
    stale = admin_client.post(url, {**fields, "name": "Lost"})
    assert stale.status_code == 409
    assert "Someone changed this while you were editing it." in stale.content.decode()
    assert Rotation.objects.get().name == "Renamed"


def test_it_creates_a_policy_with_levels_and_skips_empty_rows(admin_client, people, org, schedule):
    response = policy_post(admin_client, reverse("oncall_desk:policy-add"), severities=["1", "2"], levels=[
        (f"schedule:{schedule.pk}", 5), ("", 5), ("incident_role:commander", 10), (f"user:{people['admin'].pk}", 15)])
    assert response.status_code == 302
    policy = EscalationPolicy.objects.get()
    assert policy.severities == [1, 2]
    assert list(policy.levels.order_by("position").values_list("target_kind", "wait_seconds")) == [
        ("schedule", 300), ("incident_role", 600), ("user", 900)]


def test_it_gives_the_policy_form_back_for_a_forged_target(admin_client, people):
    response = policy_post(admin_client, reverse("oncall_desk:policy-add"), levels=[("schedule:999999", 5)])
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not EscalationPolicy.objects.exists() and not EscalationLevel.objects.exists()


def test_it_edits_a_policy_and_refuses_a_stale_version(admin_client, people, org):
    policy = policy_with(org, [{"target_kind": "user", "user": people["viewer"]}], name="Night")
    url = reverse("oncall_desk:policy-edit", args=[policy.pk])
    assert admin_client.get(url).status_code == 200
    assert policy_post(admin_client, url, version="1", levels=[(f"user:{people['admin'].pk}", 5)]).status_code == 302
    stale = policy_post(admin_client, url, version="1", levels=[(f"user:{people['viewer'].pk}", 5)])
    assert stale.status_code == 409
    assert list(EscalationLevel.objects.values_list("user_id", flat=True)) == [people["admin"].pk]


def test_it_removes_an_override_only_at_the_version_shown(admin_client, people, schedule):
    override = Override.objects.create(schedule=schedule, user=people["viewer"], starts_at=NOW,
                                       ends_at=NOW + timedelta(hours=2))
    url = reverse("oncall_desk:override-remove", args=[schedule.pk, override.pk])
    admin_client.post(url, {"version": "7"})
    assert Override.objects.exists()
    admin_client.post(url, {"version": "1"})
    assert not Override.objects.exists()


# --- Who may see and change what ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.VIEWER, Role.COMMANDER])
def test_it_shows_members_the_setup_read_only(client_for, people, schedule, role):
    client = client_for(people[role.value])
    body = client.get(SETUP).content.decode()
    assert "Comms primary" in body and "Create schedule" not in body
    page = client.get(reverse("oncall_desk:schedule", args=[schedule.pk])).content.decode()
    assert "Add rotation" not in page and "Who is on call" in page


@pytest.mark.parametrize("role", [Role.VIEWER, Role.COMMANDER])
def test_it_refuses_changes_from_members_who_are_not_admins(client_for, people, schedule, role):
    client = client_for(people[role.value])
    assert client.post(reverse("oncall_desk:schedule-add"), {"name": "X", "time_zone": "UTC"}).status_code == 403
    response = rotation_post(client, schedule, members=people["viewer"].username)
    assert response.status_code == 403
    assert client.get(reverse("oncall_desk:policy-add")).status_code == 403
    assert not Rotation.objects.exists() and Schedule.objects.count() == 1


def test_it_hides_another_organizations_schedule(client_for, people, schedule):
    client = client_for(people["outsider"])
    assert client.get(reverse("oncall_desk:schedule", args=[schedule.pk])).status_code == 404
    assert override_post(client, schedule, user=people["outsider"].pk).status_code == 404


# --- Warnings ------------------------------------------------------------------------------------------------------

def test_it_warns_about_members_without_a_contact_method_and_policies_that_page_nobody(admin_client, people, org,
                                                                                        schedule):
    people["viewer"].first_name, people["viewer"].last_name = "Li", "Na"
    people["viewer"].save()
    ContactMethodFactory(user=people["approver"])
    rotation_with(schedule, [people["viewer"], people["approver"]])
    empty = ScheduleFactory(organization=org, name="Empty desk")
    policy_with(org, [], name="Nothing")
    policy_with(org, [{"target_kind": "schedule", "schedule": empty}], name="Hollow")
    body = admin_client.get(SETUP).content.decode()
    assert "Li Na has no active contact method" in body
    assert "has no active contact method" not in body.split("Li Na has no active contact method")[1].split(
        "</ul>")[0]
    assert "This policy has no levels" in body
    assert "Level 1 pages Empty desk, where nobody is on call in the next two weeks." in body


# --- Empty, one, many ----------------------------------------------------------------------------------------------

def test_it_renders_the_setup_pages_with_nothing_set_up(admin_client):
    body = admin_client.get(SETUP).content.decode()
    assert "No schedule yet" in body and "No escalation policy yet" in body
    assert admin_client.get(reverse("oncall_desk:policy-add")).status_code == 200


def test_it_renders_a_schedule_with_one_of_everything(admin_client, people, schedule):
    rotation_with(schedule, [people["viewer"]])
    Override.objects.create(schedule=schedule, user=people["admin"], starts_at=NOW, ends_at=NOW + timedelta(hours=1))
    response = admin_client.get(reverse("oncall_desk:schedule", args=[schedule.pk]))
    assert response.status_code == 200


def _crowd(org, schedule, count):
    users = [member(org, Role.RESPONDER) for _ in range(count)]
    rotation_with(schedule, users, starts_on=date(2026, 11, 1), handoff_time=time(9), length_days=1)
    return users


def test_it_renders_the_schedule_page_in_flat_queries_with_50_members_and_200_overrides(
        admin_client, org, schedule, django_assert_max_num_queries):
    users = _crowd(org, schedule, 50)
    url = reverse("oncall_desk:schedule", args=[schedule.pk])
    with django_assert_max_num_queries(20):
        assert admin_client.get(url).status_code == 200
    Override.objects.bulk_create([Override(schedule=schedule, user=users[n % 50], starts_at=NOW + timedelta(hours=n),
                                           ends_at=NOW + timedelta(hours=n, minutes=30)) for n in range(200)])
    with django_assert_max_num_queries(20):
        response = admin_client.get(url)
    assert response.content.decode().count("Override") >= 200


def test_it_renders_the_setup_page_in_flat_queries_with_many_schedules_and_policies(
        admin_client, org, schedule, people, django_assert_max_num_queries):
    _crowd(org, schedule, 50)
    for _n in range(10):
        other = ScheduleFactory(organization=org)
        rotation_with(other, [people["viewer"]])
        policy_with(org, [{"target_kind": "schedule", "schedule": other},
                          {"target_kind": "user", "user": people["admin"]}])
    with django_assert_max_num_queries(20):
        assert admin_client.get(SETUP).status_code == 200


def test_it_renders_the_policy_form_in_flat_queries_with_50_members(admin_client, org, people,
                                                                    django_assert_max_num_queries):
    users = [member(org, Role.RESPONDER) for _ in range(50)]
    policy = policy_with(org, [{"target_kind": "user", "user": u} for u in users[:15]])
    with django_assert_max_num_queries(15):
        assert admin_client.get(reverse("oncall_desk:policy-edit", args=[policy.pk])).status_code == 200


def test_it_shows_the_preview_in_the_schedule_zone(admin_client, people, org):
    schedule = ScheduleFactory(organization=org, time_zone="America/New_York")
    rotation_with(schedule, [people["viewer"]], starts_on=date(2026, 11, 1), handoff_time=time(9), length_days=1)
    body = admin_client.get(reverse("oncall_desk:schedule", args=[schedule.pk])).content.decode()
    ny = NOW.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert ny.strftime("%H:%M") == "21:00"
    assert "21:00 <small>EST</small>" in body  # the window opens "now", 21:00 the evening before in New York


def test_it_renders_the_setup_pages_in_chinese(admin_client, people, org, schedule):
    rotation_with(schedule, [people["viewer"]])
    policy_with(org, [])
    setup = admin_client.get("/zh-hans/oncall/setup/").content.decode()
    assert "值班设置" in setup and "此策略没有任何级别" in setup and "没有启用的联系方式" in setup
    page = admin_client.get(f"/zh-hans/oncall/setup/schedules/{schedule.pk}/").content.decode()
    assert "添加轮值" in page and "添加临时替班" in page and "Add rotation" not in page


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_it_asks_as_many_queries_for_one_of_everything_as_for_many(admin_client, people, org, schedule):
    rotation = rotation_with(schedule, [people["viewer"]])
    override = Override.objects.create(schedule=schedule, user=people["viewer"], starts_at=NOW,
                                       ends_at=NOW + timedelta(hours=1))
    policy = policy_with(org, [{"target_kind": "schedule", "schedule": schedule}])
    urls = [SETUP, reverse("oncall_desk:schedule", args=[schedule.pk]),
            reverse("oncall_desk:rotation-edit", args=[schedule.pk, rotation.pk]),
            reverse("oncall_desk:override-edit", args=[schedule.pk, override.pk]),
            reverse("oncall_desk:policy-edit", args=[policy.pk])]
    one = [_queries(admin_client, url) for url in urls]
    users = _crowd(org, schedule, 50)
    Override.objects.bulk_create([Override(schedule=schedule, user=users[n % 50], starts_at=NOW + timedelta(hours=n),
                                           ends_at=NOW + timedelta(hours=n, minutes=30)) for n in range(200)])
    for _n in range(10):
        other = ScheduleFactory(organization=org)
        rotation_with(other, users[:5])
        policy_with(org, [{"target_kind": "schedule", "schedule": other}, {"target_kind": "user", "user": users[3]}])
    many = [_queries(admin_client, url) for url in urls]
    assert many == one
    assert max(many) <= 16


def test_it_shows_the_on_call_page_with_overrides_in_flat_queries(client_for, people, org, schedule):
    rotation_with(schedule, [people["viewer"]], starts_on=date(2026, 11, 1))
    Override.objects.create(schedule=schedule, user=people["approver"], starts_at=NOW - timedelta(hours=1),
                            ends_at=NOW + timedelta(hours=3), reason="Dentist swap")
    client = client_for(people["viewer"])
    url = reverse("crisis:oncall-schedule")
    body = client.get(url).content.decode()  # the first visit also makes the reader's calendar secret
    one = _queries(client, url)
    assert f"<strong>{people['approver'].get_username()}</strong>" in body  # on call now, by the override
    assert "Override: Dentist swap" in body
    for _n in range(10):
        other = ScheduleFactory(organization=org)
        rotation_with(other, _crowd(org, ScheduleFactory(organization=org), 5)[:2])
    assert _queries(client, url) == one
