"""Calendar feed links are personal: the person or an admin can revoke them, and they die with the membership."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from crisis import clock
from crisis.models import AuditEntry, Membership, Role
from crisis.oncall.calendar import person_feed_path, schedule_feed_path
from crisis.oncall.models import Override
from crisis.services.memberships import membership_remove
from tests.factories import OrganizationFactory, member

from .factories import ScheduleFactory, rotation_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(org, people):
    schedule = ScheduleFactory(organization=org, name="Crisis desk")
    rotation_with(schedule, [people["viewer"], people["responder"]])
    return schedule


def shifts(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    return {str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}


def feeds(user, schedule) -> list[str]:
    return [person_feed_path(user=user), schedule_feed_path(schedule=schedule, user=user)]


def statuses(client, paths) -> list[int]:
    return [client.get(path).status_code for path in paths]


def test_it_serves_a_members_own_feed_and_their_schedules_feed(client, people, schedule):
    person, whole = feeds(people["viewer"], schedule)
    assert shifts(client.get(person)) == {f"On call: {people['viewer'].username} (Crisis desk)"}
    assert len(shifts(client.get(whole))) == 2


def test_it_links_the_feeds_from_the_on_call_page(client_for, people, schedule):
    client = client_for(people["viewer"])
    # The links are signed with a timestamp: page and expectation are made within one frozen second.
    with time_machine.travel(timezone.now(), tick=False):
        body = client.get(reverse("crisis:oncall-schedule")).content.decode()
        paths = feeds(people["viewer"], schedule)
    for path in paths:
        assert path in body


def test_it_kills_every_old_link_when_the_person_rotates_and_the_new_ones_work(client, client_for, people,
                                                                               schedule):
    old = feeds(people["viewer"], schedule)
    response = client_for(people["viewer"]).post(reverse("oncall_desk:calendar-rotate"))
    assert response.status_code == 302
    new = feeds(people["viewer"], schedule)
    assert new != old
    assert statuses(client, old) == [404, 404]
    assert statuses(client, new) == [200, 200]
    assert AuditEntry.objects.filter(action="calendar.rotate").count() == 1


def test_it_lets_an_admin_rotate_a_members_links(client, client_for, people, schedule):
    old = feeds(people["viewer"], schedule)
    path = reverse("oncall_desk:member-calendar-rotate", args=[people["viewer"].pk])
    assert client_for(people["admin"]).post(path).status_code == 302
    assert statuses(client, old) == [404, 404]
    assert statuses(client, feeds(people["viewer"], schedule)) == [200, 200]


@pytest.mark.parametrize("role", ["viewer", "responder", "approver", "commander"])
def test_it_refuses_to_rotate_someone_elses_links_below_admin(role, client, client_for, people, schedule):
    old = feeds(people["admin"], schedule)
    path = reverse("oncall_desk:member-calendar-rotate", args=[people["admin"].pk])
    assert client_for(people[role]).post(path).status_code == 403
    assert statuses(client, old) == [200, 200]


def test_it_answers_404_to_another_organizations_admin_rotating_our_member(client, client_for, people, schedule):
    old = feeds(people["viewer"], schedule)
    path = reverse("oncall_desk:member-calendar-rotate", args=[people["viewer"].pk])
    assert client_for(people["outsider"]).post(path).status_code == 404
    assert statuses(client, old) == [200, 200]


def test_it_answers_404_once_the_membership_is_removed(client, org, people, schedule):
    links = feeds(people["viewer"], schedule)
    membership_remove(membership=Membership.objects.get(user=people["viewer"]), actor=people["admin"])
    assert statuses(client, links) == [404, 404]


def test_it_does_not_revive_old_links_when_the_person_is_added_again(client, org, people, schedule):
    links = feeds(people["viewer"], schedule)
    membership_remove(membership=Membership.objects.get(user=people["viewer"]), actor=people["admin"])
    Membership.objects.create(user=people["viewer"], organization=org, role=Role.VIEWER)
    assert statuses(client, links) == [404, 404]
    assert statuses(client, feeds(people["viewer"], schedule)) == [200, 200]


def test_it_drops_only_the_left_organization_from_a_person_in_two(client, org, people, schedule):
    elsewhere = OrganizationFactory()
    Membership.objects.create(user=people["viewer"], organization=elsewhere, role=Role.VIEWER)
    rotation_with(ScheduleFactory(organization=elsewhere, name="Elsewhere desk"), [people["viewer"]])
    person, ours = feeds(people["viewer"], schedule)
    membership_remove(membership=Membership.objects.get(user=people["viewer"], organization=org),
                      actor=people["admin"])
    assert client.get(ours).status_code == 404
    person = person_feed_path(user=people["viewer"])  # the removal rotated the person's links
    assert shifts(client.get(person)) == {f"On call: {people['viewer'].username} (Elsewhere desk)"}


def test_it_answers_404_for_a_deactivated_user(client, people, schedule):
    links = feeds(people["viewer"], schedule)
    type(people["viewer"]).objects.filter(pk=people["viewer"].pk).update(is_active=False)
    assert statuses(client, links) == [404, 404]


def test_it_never_shows_this_organization_to_another_organizations_member(client, people, schedule):
    """The outsider still holds an override in our schedule (left over from a move), and a link to our
    schedule made out before they left: neither shows anything of ours."""
    now = clock.now()
    Override.objects.create(schedule=schedule, user=people["outsider"], starts_at=now + timedelta(hours=1),
                            ends_at=now + timedelta(hours=5))
    person, ours = feeds(people["outsider"], schedule)
    assert shifts(client.get(person)) == set()
    assert client.get(ours).status_code == 404


def test_it_refuses_the_old_unrevocable_links(client, people, schedule):
    for kind, pk in [("person", people["viewer"].pk), ("schedule", schedule.pk)]:
        token = signing.dumps({"k": kind, "id": pk}, salt="crisis.oncall.calendar", compress=True)
        assert client.get(reverse(f"oncall:{kind}-feed", kwargs={"token": token})).status_code == 404


def test_it_refuses_a_person_link_presented_as_a_schedule_link(client, people, schedule):
    token = person_feed_path(user=people["viewer"]).rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(reverse("oncall:schedule-feed", kwargs={"token": token})).status_code == 404


def test_it_makes_out_a_feed_to_a_new_member_on_first_use(client, org):
    newcomer = member(org, Role.VIEWER)
    assert client.get(person_feed_path(user=newcomer)).status_code == 200


def test_it_lets_a_person_with_links_and_an_organization_be_deleted(client, org, people, schedule):
    """Leaving rotates the secret from a signal: deleting the user or the organization (which ends their
    memberships on the way) must not trip over it."""
    links = feeds(people["viewer"], schedule)
    people["viewer"].delete()
    assert statuses(client, links) == [404, 404]
    feeds(people["responder"], schedule)
    org_id = org.pk
    org.delete()
    assert not Membership.objects.filter(organization_id=org_id).exists()
