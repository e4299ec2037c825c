"""The admin's members page: invite, see and revoke pending invitations, change roles, through the services."""

import pytest
from django.urls import reverse

from crisis.models import AuditEntry, Invitation, InvitationStatus, Membership, Role
from crisis.services.invitations import invitation_send

pytestmark = pytest.mark.django_db

URL = reverse("crisis:members")


@pytest.mark.parametrize("role", ["viewer", "responder", "approver", "commander"])
def test_it_is_for_admins_only(client_for, people, role):
    client = client_for(people[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"username": "new", "role": "viewer"}).status_code == 403
    assert not Invitation.objects.exists()


def test_it_lists_the_members_with_their_roles(client_for, people):
    content = client_for(people["admin"]).get(URL).content.decode()
    for role in Role:
        assert people[role.value].username in content
    assert people["outsider"].username not in content
    assert "No invitation is pending." in content


def test_it_invites_a_person_by_email(client_for, people, org):
    response = client_for(people["admin"]).post(URL, {"email": "li.na@example.com", "role": "approver"}, follow=True)
    invitation = Invitation.objects.get()
    assert (invitation.organization, invitation.email, invitation.role) == (org, "li.na@example.com", "approver")
    assert AuditEntry.objects.filter(action="invitation.send").count() == 1
    assert "li.na@example.com" in response.content.decode()


def test_it_shows_the_services_refusal_beside_the_form(client_for, people):
    response = client_for(people["admin"]).post(URL, {"username": "a", "email": "b@example.com", "role": "viewer"})
    assert response.status_code == 400
    assert "exactly one" in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_revokes_a_pending_invitation(client_for, people, org):
    invitation = invitation_send(organization=org, actor=people["admin"], role="viewer", username="wang")
    client = client_for(people["admin"])
    assert "wang" in client.get(URL).content.decode()
    client.post(reverse("crisis:member-invitation-revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert "No invitation is pending." in client.get(URL).content.decode()


def test_it_does_not_revoke_another_organizations_invitation(client_for, people, org):
    invitation = invitation_send(organization=org, actor=people["admin"], role="viewer", username="wang")
    response = client_for(people["outsider"]).post(reverse("crisis:member-invitation-revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert (response.status_code, invitation.status) == (404, InvitationStatus.SENT)


def test_it_changes_a_members_role(client_for, people, org):
    membership = Membership.objects.get(organization=org, user=people["viewer"])
    client_for(people["admin"]).post(reverse("crisis:member-role", args=[membership.pk]),
                                     {f"m{membership.pk}-role": "approver", f"m{membership.pk}-version": 1})
    membership.refresh_from_db()
    assert (membership.role, membership.version) == ("approver", 2)


def test_it_refuses_a_role_change_from_a_stale_page(client_for, people, org):
    membership = Membership.objects.get(organization=org, user=people["viewer"])
    Membership.objects.filter(pk=membership.pk).update(version=2)
    response = client_for(people["admin"]).post(reverse("crisis:member-role", args=[membership.pk]),
                                                {f"m{membership.pk}-role": "approver",
                                                 f"m{membership.pk}-version": 1}, follow=True)
    membership.refresh_from_db()
    assert membership.role == "viewer"
    assert "reload and try again" in response.content.decode()


def test_it_keeps_the_last_admin(client_for, people, org):
    membership = Membership.objects.get(organization=org, user=people["admin"])
    response = client_for(people["admin"]).post(reverse("crisis:member-role", args=[membership.pk]),
                                                {f"m{membership.pk}-role": "viewer",
                                                 f"m{membership.pk}-version": 1}, follow=True)
    membership.refresh_from_db()
    assert membership.role == "admin"
    assert "last admin" in response.content.decode()


def test_it_is_linked_from_the_dashboard_for_admins(client_for, people):
    assert f'href="{URL}"' in client_for(people["admin"]).get(reverse("crisis:home")).content.decode()
    assert f'href="{URL}"' not in client_for(people["commander"]).get(reverse("crisis:home")).content.decode()


@pytest.mark.parametrize("pending", [0, 1, 40])
def test_it_keeps_the_query_count_flat(client_for, people, org, django_assert_max_num_queries, pending):
    for n in range(pending):
        invitation_send(organization=org, actor=people["admin"], role="viewer", username=f"person{n}")
    client = client_for(people["admin"])
    with django_assert_max_num_queries(9):
        assert client.get(URL).status_code == 200
