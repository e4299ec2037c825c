"""A person joins an organization by accepting an invitation; the admin who invites learns nothing about accounts.

The admin of one organization used to be able to add anybody (a member of another organization included)
by username or email, and the answer told whether the name had an account: 201 with the person's id and
full name, or 400 "No active account has this username".
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery_app import app as celery_app
from crisis.models import AuditEntry, Invitation, InvitationStatus, Membership, Role
from crisis.services import invitations as service
from crisis.services.errors import InvalidTransition
from crisis.services.invitations import invitation_accept, invitation_mail, invitation_send, invitation_token
from tests.factories import OrganizationFactory, UserFactory, member
from tests.oncall.test_races import race

pytestmark = pytest.mark.django_db

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
ANSWER_FIELDS = {"id", "organization", "username", "email", "role", "status", "created_at", "expires_at"}


def _invite(client, org, **body):
    return client.post(f"/api/v1/organizations/{org.pk}/members/", {"role": "responder", **body}, format="json")


def _link(invitation: Invitation) -> str:
    return f"/invitations/{invitation_token(invitation)}/"


@pytest.fixture
def web_as(client):
    def _client(user):
        client.force_login(user)
        return client

    return _client


@pytest.fixture
def invited(org, people):
    """A fresh account (with no membership anywhere) invited to ``org`` as approver, by username."""
    person = UserFactory()
    invitation = invitation_send(organization=org, actor=people["admin"], role=Role.APPROVER,
                                 username=person.username)
    return person, invitation


# Inviting tells nothing


@pytest.mark.parametrize("name", ["member elsewhere", "unknown username", "known email", "unknown email",
                                  "deactivated account", "email several accounts share"])
def test_it_answers_the_same_whoever_is_named(name, api_as, org, people):
    UserFactory(email="desk@example.com")
    UserFactory(email="desk@example.com")
    body = {
        "member elsewhere": {"username": people["outsider"].username},
        "unknown username": {"username": "nobody-here"},
        "known email": {"email": people["outsider"].email.upper()},
        "unknown email": {"email": "nobody@example.com"},
        "deactivated account": {"username": UserFactory(is_active=False).username},
        "email several accounts share": {"email": "desk@example.com"},
    }[name]

    response = _invite(api_as(people["admin"]), org, **body)

    assert response.status_code == 202, response.content
    answer = response.json()
    assert set(answer) == ANSWER_FIELDS
    assert (answer["status"], answer["role"], answer["organization"]) == ("sent", "responder", org.pk)
    named = answer["username"] or answer["email"]
    assert named == next(iter(body.values())).strip()
    assert "user" not in answer


def test_it_takes_the_same_path_whether_or_not_the_name_has_an_account(api_as, org, people):
    """Same queries, same order, only the name differing: no shortcut whose timing would tell."""
    client = api_as(people["admin"])
    client.get(f"/api/v1/organizations/{org.pk}/")  # warm the per-process caches (content types, token last-used)

    def statements(**body):
        with CaptureQueriesContext(connection) as queries:
            assert _invite(client, org, **body).status_code == 202
        # Values and savepoint names differ from request to request; the statements must not.
        return [re.sub(r"'[^']*'|\b\d+\b|\"s\d+_x\d+\"", "?", query["sql"]) for query in queries.captured_queries]

    assert statements(username=people["outsider"].username) == statements(username="nobody-here")
    assert statements(email=people["outsider"].email) == statements(email="nobody@example.com")


def test_it_adds_nobody_from_another_organization_without_their_consent(api_as, org, people):
    response = _invite(api_as(people["admin"]), org, username=people["outsider"].username)

    assert response.status_code == 202
    assert people["outsider"].memberships.count() == 1
    assert not Membership.objects.filter(organization=org, user=people["outsider"]).exists()


def test_it_hides_the_full_name_of_the_person_invited(api_as, org, people):
    stranger = member(OrganizationFactory(), Role.ADMIN, first_name="Lin", last_name="Wei")
    response = _invite(api_as(people["admin"]), org, username=stranger.username)

    assert "Lin" not in response.content.decode()
    assert str(stranger.pk) not in {str(v) for v in response.json().values()}


def test_it_audits_an_invitation(api_as, org, people):
    response = _invite(api_as(people["admin"]), org, email="lin.wei@example.com")

    entry = AuditEntry.objects.get(action="invitation.send")
    assert (entry.organization, entry.actor, entry.object_id) == (org, people["admin"], str(response.json()["id"]))
    assert entry.changes == {"email": "lin.wei@example.com", "role": "responder"}


@pytest.mark.parametrize("role", ["viewer", "responder", "approver", "commander"])
def test_it_forbids_anyone_but_an_admin_to_invite(role, api_as, org, people):
    response = _invite(api_as(people[role]), org, username="nobody-here")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Invitation.objects.exists()


def test_it_hides_an_organization_from_a_stranger_who_invites_to_it(api_as, org, people):
    response = _invite(api_as(people["outsider"]), org, username="nobody-here")

    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_it_refuses_to_invite_a_member(api_as, org, people):
    """Their role is changed on their membership (PATCH /members/<id>/), as before."""
    response = _invite(api_as(people["admin"]), org, email=people["viewer"].email.upper())

    assert response.status_code == 409
    assert "already a member" in response.json()["error"]["message"]
    assert response.json()["error"]["fields"] == {"email": [response.json()["error"]["message"]]}
    assert not Invitation.objects.exists()


def test_it_refuses_a_second_pending_invitation_for_the_same_person(api_as, org, people):
    client = api_as(people["admin"])
    assert _invite(client, org, email="lin.wei@example.com").status_code == 202

    response = _invite(client, org, email="Lin.Wei@example.com")

    assert response.status_code == 409
    assert list(response.json()["error"]["fields"]) == ["email"]
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("body, fields", [
    ({}, {"username", "email"}),
    ({"username": "someone", "email": "someone@example.com"}, {"username", "email"}),
    ({"username": " "}, {"username"}),
], ids=["neither", "both", "blank"])
def test_it_wants_exactly_one_of_username_and_email(body, fields, api_as, org, people):
    response = _invite(api_as(people["admin"]), org, **body)

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["owner", "", 5, None])
def test_it_refuses_an_unknown_role(role, api_as, org, people):
    response = _invite(api_as(people["admin"]), org, username="someone", role=role)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["role"]
    assert not Invitation.objects.exists()


# The mail


def test_it_mails_the_link_to_the_accounts_address(api_as, org, people, settings, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    settings.GOLDEN_HOURS_SEND_TIMERS = True
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    person = UserFactory(email="lin.wei@example.com")

    # The link carries a signing timestamp: the mail and the expected link are made in one frozen second.
    with time_machine.travel(timezone.now(), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = _invite(api_as(people["admin"]), org, username=person.username)

        assert response.status_code == 202
        [message] = mail.outbox
        invitation = Invitation.objects.get()
        assert message.to == ["lin.wei@example.com"]
        assert org.name in message.subject
        assert f"{django_settings.GOLDEN_HOURS_BASE_URL}{_link(invitation)}" in message.body


def test_it_mails_the_address_given_in_its_own_case(org, people):
    UserFactory(email="lin.wei@example.com")
    invitation = invitation_send(organization=org, actor=people["admin"], role=Role.VIEWER, email="Lin.Wei@Example.com")

    assert invitation_mail(invitation_id=invitation.pk) == 1
    assert mail.outbox[0].to == ["Lin.Wei@Example.com"]


@pytest.mark.parametrize("named", [{"username": "nobody-here"}, {"email": "nobody@example.com"}])
def test_it_mails_nobody_for_a_name_without_an_account(named, org, people):
    invitation = invitation_send(organization=org, actor=people["admin"], role=Role.VIEWER, **named)

    assert invitation_mail(invitation_id=invitation.pk) == 0
    assert mail.outbox == []


def test_it_mails_once_when_the_task_runs_twice(invited):
    _person, invitation = invited

    assert invitation_mail(invitation_id=invitation.pk) == 1
    assert invitation_mail(invitation_id=invitation.pk) == 0
    assert len(mail.outbox) == 1


def test_it_does_not_mail_a_revoked_invitation(invited, people):
    _person, invitation = invited
    service.invitation_revoke(invitation=invitation, actor=people["admin"])

    assert invitation_mail(invitation_id=invitation.pk) == 0


# Accepting


def test_it_shows_the_invitee_the_organization_and_role(web_as, invited, org):
    person, invitation = invited
    response = web_as(person).get(_link(invitation))

    assert response.status_code == 200
    page = response.content.decode()
    assert org.name in page
    assert "Approver" in page
    assert not Membership.objects.filter(user=person).exists()


def test_it_sends_a_signed_out_invitee_to_sign_in_first(client, invited):
    _person, invitation = invited
    response = client.get(_link(invitation))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/invitations/")


def test_it_makes_the_invitee_a_member_when_they_accept(web_as, invited, org, people):
    person, invitation = invited
    response = web_as(person).post(_link(invitation))

    assert response.status_code == 302
    membership = Membership.objects.get(user=person, organization=org)
    assert membership.role == Role.APPROVER
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == (InvitationStatus.ACCEPTED, person)
    entry = AuditEntry.objects.get(action="membership.add")
    assert (entry.actor, entry.object_id, entry.via) == (person, str(membership.pk), "session")
    assert entry.changes == {"user": person.pk, "role": "approver", "invitation": invitation.pk}


def test_it_lets_an_email_invitee_accept_with_their_address_in_any_case(web_as, org, people):
    person = UserFactory(email="Lin.Wei@example.com")
    invitation = invitation_send(organization=org, actor=people["admin"], role=Role.VIEWER,
                                 email="lin.wei@EXAMPLE.com")

    assert web_as(person).post(_link(invitation)).status_code == 302
    assert Membership.objects.get(user=person, organization=org).role == Role.VIEWER


def test_it_lets_a_member_of_another_organization_accept(web_as, org, people):
    invitation = invitation_send(organization=org, actor=people["admin"], role=Role.RESPONDER,
                                 username=people["outsider"].username)

    assert web_as(people["outsider"]).post(_link(invitation)).status_code == 302
    assert people["outsider"].memberships.count() == 2


def test_it_accepts_through_the_api(api_as, invited, org):
    person, invitation = invited
    response = api_as(person).post("/api/v1/invitations/accept/", {"token": invitation_token(invitation)},
                                   format="json")

    assert response.status_code == 201, response.content
    assert response.json()["role"] == "approver"
    assert response.json()["user"]["id"] == person.pk
    assert response.json()["organization"] == org.pk


@pytest.mark.parametrize("spoil, status, message", [
    ("expired", 409, "This invitation has expired; ask an admin of the organization for a new one."),
    ("revoked", 409, "This invitation was withdrawn by an admin of the organization."),
    ("used", 409, "This invitation has already been used."),
])
def test_it_refuses_a_spent_link_with_the_reason(spoil, status, message, web_as, invited, people):
    person, invitation = invited
    travel = None
    if spoil == "expired":
        travel = time_machine.travel(invitation.expires_at + timedelta(seconds=1), tick=False)
        travel.start()
    elif spoil == "revoked":
        service.invitation_revoke(invitation=invitation, actor=people["admin"])
    else:
        invitation_accept(invitation=invitation, user=person)
    memberships = Membership.objects.count()
    try:
        client = web_as(person)
        shown, posted = client.get(_link(invitation)), client.post(_link(invitation))
    finally:
        if travel:
            travel.stop()

    for response in (shown, posted):
        assert response.status_code == status
        assert message in response.content.decode()
    assert Membership.objects.count() == memberships


def test_it_refuses_the_link_to_another_account_without_naming_the_organization(web_as, invited, org, people):
    _person, invitation = invited
    client = web_as(people["outsider"])
    shown, posted = client.get(_link(invitation)), client.post(_link(invitation))

    for response in (shown, posted):
        assert response.status_code == 403
        page = response.content.decode()
        assert "This invitation is for another account; sign in with the account it was sent to." in page
        assert org.name not in page
    assert not Membership.objects.filter(user=people["outsider"], organization=org).exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT


def test_it_refuses_an_altered_link(web_as, invited):
    person, invitation = invited
    token = invitation_token(invitation)
    response = web_as(person).get(f"/invitations/{token[:-2]}xx/")

    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()


def test_it_refuses_an_expired_link_through_the_api(api_as, invited):
    person, invitation = invited
    client = api_as(person)
    with time_machine.travel(invitation.expires_at + timedelta(seconds=1), tick=False):
        response = client.post("/api/v1/invitations/accept/", {"token": invitation_token(invitation)}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert not Membership.objects.filter(user=person).exists()


def test_it_loses_the_compare_and_set_to_an_accept_that_lands_in_between(invited, monkeypatch):
    # The organization lock serializes accepts through the service; a write that bypasses it (the Django
    # admin, a shell) lands after the checks passed, and the status compare-and-set still holds.
    person, invitation = invited
    check = service.invitation_check

    def check_then_interleave(*, invitation, user):
        checked = check(invitation=invitation, user=user)
        Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.ACCEPTED)
        return checked

    monkeypatch.setattr(service, "invitation_check", check_then_interleave)

    with pytest.raises(InvalidTransition, match="already been used"):
        invitation_accept(invitation=invitation, user=person)
    assert not Membership.objects.filter(user=person).exists()


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer: no race to lose")
@pytest.mark.django_db(transaction=True)
def test_it_makes_one_membership_from_two_simultaneous_accepts():
    org = OrganizationFactory()
    admin = member(org, Role.ADMIN)
    person = UserFactory()
    invitation = invitation_send(organization=org, actor=admin, role=Role.RESPONDER, username=person.username)

    errors = race(lambda: invitation_accept(invitation=invitation, user=person),
                  lambda: invitation_accept(invitation=invitation, user=person))

    assert [str(e) for e in errors] in (["This invitation has already been used."],
                                        [f"You are already a member of {org.name}."])
    assert Membership.objects.filter(user=person, organization=org).count() == 1
    assert AuditEntry.objects.filter(action="membership.add").count() == 1


# Listing and revoking


def test_it_lists_the_organizations_invitations_to_its_admins(api_as, org, people, invited):
    _person, invitation = invited
    other = invitation_send(organization=OrganizationFactory(), actor=None, role=Role.VIEWER, username="elsewhere")
    response = api_as(people["admin"]).get(f"/api/v1/organizations/{org.pk}/invitations/")

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == invitation.pk != other.pk
    assert (row["username"], row["role"], row["status"]) == (invitation.username, "approver", "sent")


def test_it_shows_an_expired_invitation_as_expired(api_as, org, people, invited):
    _person, invitation = invited
    client = api_as(people["admin"])
    with time_machine.travel(invitation.expires_at, tick=False):
        response = client.get(f"/api/v1/organizations/{org.pk}/invitations/")

    assert response.json()["results"][0]["status"] == "expired"


@pytest.mark.parametrize("role", ["viewer", "commander"])
def test_it_keeps_invitations_from_non_admins(role, api_as, org, people, invited):
    _person, invitation = invited
    client = api_as(people[role])

    assert client.get(f"/api/v1/organizations/{org.pk}/invitations/").status_code == 403
    assert client.delete(f"/api/v1/invitations/{invitation.pk}/").status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT


def test_it_revokes_an_invitation(api_as, org, people, invited):
    _person, invitation = invited
    response = api_as(people["admin"]).delete(f"/api/v1/invitations/{invitation.pk}/")

    assert response.status_code == 204
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    entry = AuditEntry.objects.get(action="invitation.revoke")
    assert (entry.organization, entry.actor, entry.object_id) == (org, people["admin"], str(invitation.pk))


def test_it_refuses_to_revoke_an_accepted_invitation(api_as, people, invited):
    person, invitation = invited
    invitation_accept(invitation=invitation, user=person)
    response = api_as(people["admin"]).delete(f"/api/v1/invitations/{invitation.pk}/")

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "This invitation is no longer pending (Accepted)."
    assert Membership.objects.filter(user=person).exists()


def test_it_lets_an_admin_invite_again_after_revoking(api_as, org, people, invited):
    person, invitation = invited
    client = api_as(people["admin"])
    client.delete(f"/api/v1/invitations/{invitation.pk}/")

    assert _invite(client, org, username=person.username).status_code == 202


def test_it_lets_an_admin_invite_again_after_the_invitation_expired(api_as, org, people, invited):
    person, invitation = invited
    client = api_as(people["admin"])
    with time_machine.travel(invitation.expires_at + timedelta(seconds=1), tick=False):
        assert _invite(client, org, username=person.username).status_code == 202


def test_it_counts_the_expiry_from_the_invitation(invited):
    _person, invitation = invited
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert abs(invitation.created_at - timezone.now()) < timedelta(minutes=1)


# A mail lost with the broker


@pytest.fixture
def broker_back(settings, monkeypatch):
    """The broker answers again (tasks run in this process, as a worker would run them)."""
    settings.GOLDEN_HOURS_SEND_TIMERS = True
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)


def test_it_mails_an_invitation_whose_mail_was_lost_on_a_later_pass(org, people, broker_back):
    person = UserFactory(email="lin.wei@example.com")
    # Sent while nothing reached the broker: no on-commit callback runs here, as none reached a worker there.
    invitation = invitation_send(organization=org, actor=people["admin"], role=Role.VIEWER, username=person.username)

    assert service.invitations_mail_resend(now=invitation.created_at + timedelta(minutes=1)) == 0  # still its turn
    with time_machine.travel(invitation.created_at + timedelta(minutes=3), tick=False):
        assert service.invitations_mail_resend(now=invitation.created_at + timedelta(minutes=3)) == 1
        assert service.invitations_mail_resend(now=invitation.created_at + timedelta(minutes=4)) == 0

    assert [message.to for message in mail.outbox] == [["lin.wei@example.com"]]


@pytest.mark.parametrize("change", ["revoked", "expired", "mailed"])
def test_it_does_not_mail_again_an_invitation_that_is_settled(org, people, broker_back, change):
    person = UserFactory(email="lin.wei@example.com")
    invitation = invitation_send(organization=org, actor=people["admin"], role=Role.VIEWER, username=person.username)
    later = invitation.created_at + timedelta(minutes=10)
    if change == "revoked":
        service.invitation_revoke(invitation=invitation, actor=people["admin"])
    elif change == "expired":
        later = invitation.expires_at + timedelta(seconds=1)
    else:
        assert invitation_mail(invitation_id=invitation.pk) == 1
        mail.outbox.clear()

    assert service.invitations_mail_resend(now=later) == 0
    assert mail.outbox == []


def test_it_is_one_of_the_engines_housekeeping_jobs():
    from crisis.timers.housekeeping import housekeeping_jobs

    assert housekeeping_jobs()["invitations-mail-resend"] is service.invitations_mail_resend
