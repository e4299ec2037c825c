"""The first run: ``golden_hours_setup`` creates an organization and its admin once, through the setup service."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from crisis.models import AuditEntry, Membership, Organization, Role
from crisis.services import setup as setup_service
from crisis.services.errors import ConcurrentUpdate, InvalidInput, InvalidTransition
from crisis.services.setup import organization_setup
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Desk-passphrase-2026"
ARGS = ["--organization", "Acme", "--username", "li.na", "--email", "li.na@acme.example",
        "--time-zone", "Asia/Shanghai", "--no-input"]


def _run(*args) -> str:
    out = io.StringIO()
    call_command("golden_hours_setup", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("GOLDEN_HOURS_ADMIN_PASSWORD", PASSWORD)


def test_it_creates_the_organization_and_its_admin(password):
    output = _run(*ARGS)
    org = Organization.objects.get()
    user = get_user_model().objects.get(username="li.na")
    assert (org.name, org.slug, org.time_zone) == ("Acme", "acme", "Asia/Shanghai")
    assert Membership.objects.get(organization=org, user=user).role == Role.ADMIN
    assert user.check_password(PASSWORD) and user.email == "li.na@acme.example"
    assert "Created Acme" in output


def test_it_writes_an_audit_row_per_change_marked_as_from_the_command(password):
    _run(*ARGS)
    entries = AuditEntry.objects.order_by("id")
    assert [e.action for e in entries] == ["organization.create", "user.create", "membership.add"]
    assert {e.via for e in entries} == {"command"}
    assert "password" not in str([e.changes for e in entries])


def test_it_changes_nothing_the_second_time_and_says_so(password, monkeypatch):
    _run(*ARGS)
    audit_rows = AuditEntry.objects.count()
    monkeypatch.setenv("GOLDEN_HOURS_ADMIN_PASSWORD", "another-Passphrase-99")
    output = _run(*ARGS)
    assert "Already set up" in output and "Nothing was changed" in output
    assert (Organization.objects.count(), Membership.objects.count(), AuditEntry.objects.count()) == (1, 1, audit_rows)
    assert get_user_model().objects.get(username="li.na").check_password(PASSWORD)


def test_it_makes_an_existing_account_admin_without_touching_its_password():
    existing = get_user_model().objects.create_user("li.na", "old@example.com", "old-Passphrase-77")
    output = _run(*ARGS)  # no password in the environment: an existing account needs none
    existing.refresh_from_db()
    assert existing.check_password("old-Passphrase-77") and existing.email == "old@example.com"
    assert Membership.objects.get(user=existing).role == Role.ADMIN
    assert "existing account" in output


def test_it_refuses_a_new_account_without_a_password(monkeypatch):
    monkeypatch.delenv("GOLDEN_HOURS_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="GOLDEN_HOURS_ADMIN_PASSWORD"):
        _run(*ARGS)
    assert not Organization.objects.exists()


def test_it_refuses_a_weak_password_and_creates_nothing(monkeypatch):
    monkeypatch.setenv("GOLDEN_HOURS_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="Nothing was changed"):
        _run(*ARGS)
    assert not Organization.objects.exists() and not get_user_model().objects.exists()


def test_it_refuses_an_unknown_time_zone(password):
    with pytest.raises(CommandError, match="Mars/Olympus"):
        _run("--organization", "Acme", "--username", "li.na", "--time-zone", "Mars/Olympus", "--no-input")
    assert not Organization.objects.exists()


def test_it_asks_for_a_slug_when_the_name_gives_none(password):
    with pytest.raises(CommandError, match="slug"):
        _run("--organization", "华为", "--username", "li.na", "--no-input")
    _run("--organization", "华为", "--slug", "huawei", "--username", "li.na", "--no-input")
    assert Organization.objects.get().name == "华为"


def test_it_refuses_a_slug_that_belongs_to_another_organization(password):
    OrganizationFactory(name="Acme Trading", slug="acme")
    with pytest.raises(CommandError, match="belongs to another organization"):
        _run(*ARGS)
    assert not get_user_model().objects.filter(username="li.na").exists()


def test_it_refuses_to_make_an_admin_of_an_existing_organization(password):
    org = OrganizationFactory(name="Acme", slug="acme")
    member(org, Role.ADMIN)
    viewer = member(org, Role.VIEWER, username="li.na")
    with pytest.raises(InvalidTransition, match="Members page"):
        organization_setup(name="Acme", username="li.na", time_zone="Asia/Shanghai")
    assert Membership.objects.get(user=viewer).role == Role.VIEWER


def test_it_collects_every_reason_at_once():
    with pytest.raises(InvalidInput) as caught:
        organization_setup(name="", slug="", username="has space!", email="nope", time_zone="Nowhere")
    assert set(caught.value.fields) == {"organization", "slug", "username", "email", "time_zone"}


def test_it_loses_the_race_to_a_run_that_created_the_organization_first(monkeypatch):
    OrganizationFactory(name="Acme", slug="acme")
    # This run looked before the other one committed: it saw no organization.
    monkeypatch.setattr(setup_service, "_organization_by_slug", lambda slug: None)
    with pytest.raises(ConcurrentUpdate):
        organization_setup(name="Acme", username="li.na", password=PASSWORD, time_zone="Asia/Shanghai")
    assert Organization.objects.count() == 1
    assert not get_user_model().objects.filter(username="li.na").exists()


# Accounts to invite


def test_it_creates_an_account_that_an_admin_can_then_invite(password):
    output = io.StringIO()
    call_command("golden_hours_account", "--username", "wang.fang", "--email", "wang@acme.example", "--no-input",
                 stdout=output)
    user = get_user_model().objects.get(username="wang.fang")
    assert user.check_password(PASSWORD) and not Membership.objects.filter(user=user).exists()
    assert AuditEntry.objects.get(action="user.create").via == "command"
    assert "Members page" in output.getvalue()


def test_it_leaves_an_existing_account_as_it_is(password):
    existing = get_user_model().objects.create_user("wang.fang", "old@example.com", "old-Passphrase-77")
    output = io.StringIO()
    call_command("golden_hours_account", "--username", "wang.fang", "--no-input", stdout=output)
    existing.refresh_from_db()
    assert existing.check_password("old-Passphrase-77")
    assert "already exists" in output.getvalue() and not AuditEntry.objects.exists()
