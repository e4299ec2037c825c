"""Admins manage who belongs to their organization; an organization always keeps at least one admin."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from crisis.models import AuditEntry, Membership, Role
from crisis.services import memberships as service
from crisis.services.errors import ConcurrentUpdate, NotFound, PermissionDenied
from crisis.services.incidents import incident_open
from crisis.services.memberships import membership_remove, membership_role_change
from tests.factories import MembershipFactory, OrganizationFactory, member
from tests.oncall.test_races import race

pytestmark = pytest.mark.django_db

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _membership(user, org) -> Membership:
    return Membership.objects.get(user=user, organization=org)


def _url(membership: Membership) -> str:
    return f"/api/v1/members/{membership.pk}/"


def _admins(org) -> int:
    return Membership.objects.filter(organization=org, role=Role.ADMIN).count()


# Adding: a person joins by accepting an invitation (tests/api/test_invitations.py); only a member is refused here.


def test_it_refuses_to_add_a_member_twice(api_as, org, people):
    client = api_as(people["admin"])
    audits = AuditEntry.objects.count()
    response = client.post(f"/api/v1/organizations/{org.pk}/members/",
                                            {"username": people["viewer"].username, "role": "admin"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"username": [response.json()["error"]["message"]]}
    assert "already a member" in response.json()["error"]["message"]
    assert _membership(people["viewer"], org).role == Role.VIEWER
    assert AuditEntry.objects.count() == audits


def test_it_does_not_tell_a_non_admin_whether_an_account_exists(api_as, org, people):
    response = api_as(people["commander"]).post(f"/api/v1/organizations/{org.pk}/members/",
                                                {"username": "nobody-here", "role": "viewer"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


# Reading


def test_it_shows_a_member_with_its_version(api_as, org, people):
    membership = _membership(people["responder"], org)
    response = api_as(people["viewer"]).get(_url(membership))

    assert response.status_code == 200
    assert response.json() == {
        "id": membership.pk, "organization": org.pk, "role": "responder", "version": 1,
        "user": {"id": people["responder"].pk, "username": people["responder"].username,
                 "name": people["responder"].username},
        "created_at": response.json()["created_at"],
    }
    assert response["ETag"] == '"1"'


def test_it_hides_another_organizations_member(api_as, people):
    stranger = _membership(people["outsider"], people["outsider"].memberships.get().organization)
    client = api_as(people["admin"])

    assert client.get(_url(stranger)).status_code == 404
    assert client.patch(_url(stranger), {"role": "viewer", "version": 1}, format="json").status_code == 404
    assert client.delete(_url(stranger)).status_code == 404
    assert _membership(people["outsider"], stranger.organization).role == Role.ADMIN


# Changing roles


def test_it_changes_a_role(api_as, org, people):
    membership = _membership(people["viewer"], org)
    response = api_as(people["admin"]).patch(_url(membership), {"role": "approver", "version": 1}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["role"] == "approver"
    assert response.json()["version"] == 2
    assert response["ETag"] == '"2"'
    membership.refresh_from_db()
    assert (membership.role, membership.version) == (Role.APPROVER, 2)


def test_it_audits_a_role_change(api_as, org, people):
    membership = _membership(people["viewer"], org)
    api_as(people["admin"]).patch(_url(membership), {"role": "commander", "version": 1}, format="json")

    entry = AuditEntry.objects.get(action="membership.role_change")
    assert (entry.organization, entry.actor, entry.object_id) == (org, people["admin"], str(membership.pk))
    assert entry.changes == {"user": people["viewer"].pk, "from": "viewer", "to": "commander"}


def test_it_takes_the_version_from_an_if_match_header(api_as, org, people):
    membership = _membership(people["viewer"], org)
    response = api_as(people["admin"]).patch(_url(membership), {"role": "responder"}, format="json",
                                             HTTP_IF_MATCH='"1"')

    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_it_requires_the_version_it_edits(api_as, org, people):
    membership = _membership(people["viewer"], org)
    response = api_as(people["admin"]).patch(_url(membership), {"role": "responder"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["version"]
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_it_refuses_a_stale_version(api_as, org, people):
    """Two admins loaded the same member; the second to save loses instead of overwriting the first."""
    membership = _membership(people["viewer"], org)
    second_admin = member(org, Role.ADMIN)
    assert api_as(second_admin).patch(_url(membership), {"role": "responder", "version": 1},
                                      format="json").status_code == 200
    client = api_as(people["admin"])
    audits = AuditEntry.objects.count()

    response = client.patch(_url(membership), {"role": "approver", "version": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert list(response.json()["error"]["fields"]) == ["version"]
    membership.refresh_from_db()
    assert (membership.role, membership.version) == (Role.RESPONDER, 2)
    assert AuditEntry.objects.count() == audits


def test_it_loses_the_compare_and_set_to_a_write_that_lands_in_between(org, people, monkeypatch):
    # A write that bypasses the lock (the Django admin, a shell) lands after the version was checked.
    membership = _membership(people["viewer"], org)
    check_version = service._check_version

    def check_then_interleave(current, expected_version):
        check_version(current, expected_version)
        Membership.objects.filter(pk=current.pk).update(version=F("version") + 1)

    monkeypatch.setattr(service, "_check_version", check_then_interleave)

    with pytest.raises(ConcurrentUpdate):
        membership_role_change(membership=membership, actor=people["admin"], role=Role.COMMANDER,
                               expected_version=1)
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_it_leaves_an_unchanged_role_alone(api_as, org, people):
    membership = _membership(people["viewer"], org)
    response = api_as(people["admin"]).patch(_url(membership), {"role": "viewer", "version": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert not AuditEntry.objects.filter(action="membership.role_change").exists()


def test_it_refuses_to_demote_the_last_admin(api_as, org, people):
    membership = _membership(people["admin"], org)
    response = api_as(people["admin"]).patch(_url(membership), {"role": "commander", "version": 1}, format="json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "invalid_transition"
    assert error["message"] == (f"{people['admin'].username} is the organization's last admin; "
                                "make someone else an admin first.")
    assert error["fields"] == {"role": [error["message"]]}
    assert _membership(people["admin"], org).role == Role.ADMIN


def test_it_lets_an_admin_step_down_while_another_admin_remains(api_as, org, people):
    member(org, Role.ADMIN)
    membership = _membership(people["admin"], org)
    response = api_as(people["admin"]).patch(_url(membership), {"role": "commander", "version": 1}, format="json")

    assert response.status_code == 200
    assert _admins(org) == 1


def test_it_counts_only_this_organizations_admins(api_as, org, people):
    # people["outsider"] is an admin elsewhere; that does not make this organization safe to leave adminless.
    MembershipFactory(user=people["outsider"], organization=org, role=Role.VIEWER)
    membership = _membership(people["admin"], org)
    response = api_as(people["admin"]).patch(_url(membership), {"role": "viewer", "version": 1}, format="json")

    assert response.status_code == 409


def test_it_rechecks_the_callers_role_after_another_admin_demoted_them(org, people):
    """The caller's role may have been read (and cached) before another admin changed it."""
    demoted = people["admin"]
    other_admin = member(org, Role.ADMIN)
    viewer = _membership(people["viewer"], org)
    membership_role_change(membership=viewer, actor=demoted, role=Role.RESPONDER, expected_version=1)
    membership_role_change(membership=_membership(demoted, org), actor=other_admin, role=Role.VIEWER,
                           expected_version=1)

    with pytest.raises(PermissionDenied):
        membership_role_change(membership=viewer, actor=demoted, role=Role.COMMANDER, expected_version=2)


def test_it_forbids_role_changes_to_non_admins(api_as, org, people):
    membership = _membership(people["viewer"], org)
    response = api_as(people["commander"]).patch(_url(membership), {"role": "admin", "version": 1}, format="json")

    assert response.status_code == 403
    assert _membership(people["viewer"], org).role == Role.VIEWER


# Removing


def test_it_removes_a_member(api_as, org, people):
    membership = _membership(people["responder"], org)
    response = api_as(people["admin"]).delete(_url(membership))

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()
    entry = AuditEntry.objects.get(action="membership.remove")
    assert (entry.organization, entry.actor, entry.object_id) == (org, people["admin"], str(membership.pk))
    assert entry.changes == {"user": people["responder"].pk, "role": "responder"}


def test_it_takes_the_removed_members_access_away(api_as, org, people, open_incident):
    incident = open_incident()
    client = api_as(people["responder"])
    assert client.get(f"/api/v1/incidents/{incident.pk}/").status_code == 200

    api_as(people["admin"]).delete(_url(_membership(people["responder"], org)))

    assert client.get(f"/api/v1/incidents/{incident.pk}/").status_code == 404


def test_it_refuses_to_remove_the_last_admin(api_as, org, people):
    membership = _membership(people["admin"], org)
    response = api_as(people["admin"]).delete(_url(membership))

    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        f"{people['admin'].username} is the organization's last admin; make someone else an admin before "
        "removing them.")
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_lets_an_admin_leave_while_another_admin_remains(api_as, org, people):
    member(org, Role.ADMIN)
    response = api_as(people["admin"]).delete(_url(_membership(people["admin"], org)))

    assert response.status_code == 204
    assert _admins(org) == 1


def test_it_refuses_a_removal_with_a_stale_if_match(api_as, org, people):
    membership = _membership(people["viewer"], org)
    membership_role_change(membership=membership, actor=people["admin"], role=Role.RESPONDER, expected_version=1)
    response = api_as(people["admin"]).delete(_url(membership), HTTP_IF_MATCH='"1"')

    assert response.status_code == 409
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_forbids_removals_to_non_admins(api_as, org, people):
    membership = _membership(people["viewer"], org)
    response = api_as(people["commander"]).delete(_url(membership))

    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_answers_404_for_a_member_removed_meanwhile(org, people):
    membership = _membership(people["viewer"], org)
    Membership.objects.filter(pk=membership.pk).delete()

    with pytest.raises(NotFound):
        membership_remove(membership=membership, actor=people["admin"])


# Races on PostgreSQL: SQLite serializes every writer, so there is no race to lose there.

needs_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer: no race to lose")


@pytest.fixture
def two_admins():
    org = OrganizationFactory()
    return org, member(org, Role.ADMIN), member(org, Role.ADMIN)


def _demote(org, actor, target):
    return lambda: membership_role_change(membership=_membership(target, org), actor=actor, role=Role.COMMANDER,
                                          expected_version=1)


def _remove(org, actor, target):
    return lambda: membership_remove(membership=_membership(target, org), actor=actor)


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", [_demote, _remove], ids=["demote", "remove"])
@pytest.mark.parametrize("targets, loser_hears", [
    # Whoever goes second is no longer an admin (or no longer a member)...
    pytest.param("each other", {"forbidden", "not_found"}, id="each-other"),
    # ...or still is one, but the last.
    pytest.param("themselves", {"invalid_transition"}, id="themselves"),
])
def test_it_keeps_an_admin_when_both_admins_step_away_at_once(change, targets, loser_hears, two_admins):
    org, first, second = two_admins
    if targets == "each other":
        errors = race(change(org, first, second), change(org, second, first))
    else:
        errors = race(change(org, first, first), change(org, second, second))

    assert len(errors) == 1, errors
    assert errors[0].code in loser_hears
    assert _admins(org) == 1


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_simultaneous_role_changes_win(two_admins):
    org, first, second = two_admins
    target = MembershipFactory(organization=org, role=Role.VIEWER)

    errors = race(
        lambda: membership_role_change(membership=target, actor=first, role=Role.RESPONDER, expected_version=1),
        lambda: membership_role_change(membership=target, actor=second, role=Role.APPROVER, expected_version=1),
    )

    assert [type(e) for e in errors] == [ConcurrentUpdate]
    target.refresh_from_db()
    assert target.version == 2
    assert target.role in (Role.RESPONDER, Role.APPROVER)
    assert AuditEntry.objects.filter(action="membership.role_change").count() == 1


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_the_desk_open_incidents_while_a_role_change_holds_the_organization(two_admins, monkeypatch):
    org, first, second = two_admins
    target = MembershipFactory(organization=org, role=Role.VIEWER)
    inside, release = threading.Event(), threading.Event()
    audit_record = service.audit_record

    def slow_audit(**kwargs):
        inside.set()
        release.wait(10)
        return audit_record(**kwargs)

    monkeypatch.setattr(service, "audit_record", slow_audit)
    worker = threading.Thread(target=lambda: (
        membership_role_change(membership=target, actor=first, role=Role.RESPONDER, expected_version=1),
        connection.close()))
    worker.start()
    try:
        assert inside.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            # Fails with "canceling statement due to lock timeout" if the change took FOR UPDATE on the
            # organization: every insert that references it waits for a key-share lock.
            incident_open(organization=org, actor=second, title="Opened meanwhile",
                          first_public_signal_at=timezone.now() - timedelta(minutes=5))
    finally:
        release.set()
        worker.join(10)
    target.refresh_from_db()
    assert target.role == Role.RESPONDER
