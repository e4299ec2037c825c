"""The API tokens page: a person's own tokens, the secret shown once, revoking; admins see their organization's."""

import pytest
from django.urls import reverse

from crisis.api.models import ApiToken, token_digest
from crisis.api.tokens import api_token_create
from crisis.models import AuditEntry, Role
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

PAGE = reverse("oncall_desk:tokens")


def test_it_shows_a_new_token_once_and_never_again(client_for, people):
    client = client_for(people["responder"])
    response = client.post(reverse("oncall_desk:token-add"), {"name": "Listening tool", "scopes": ["read", "write"]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    body = response.content.decode()
    secret = body.split('id="new-token-secret" type="text" readonly value="')[1].split('"')[0]
    assert token_digest(secret) == token.digest and token.user == people["responder"]
    assert secret not in client.get(PAGE).content.decode()
    assert AuditEntry.objects.filter(action="api_token.create").exists()


def test_it_gives_the_form_back_without_a_name_or_scope(client_for, people):
    response = client_for(people["responder"]).post(reverse("oncall_desk:token-add"), {"name": "", "scopes": []})
    assert response.status_code == 400
    assert response.content.decode().count("This field is required.") == 2
    assert not ApiToken.objects.exists()


def test_it_lists_my_tokens_with_their_scopes_role_and_use(client_for, people):
    api_token_create(user=people["approver"], name="Weekly report", scopes=["read"])
    api_token_create(user=people["viewer"], name="Not mine", scopes=["read"])
    body = client_for(people["approver"]).get(PAGE).content.decode()
    assert "Weekly report" in body and "Approver" in body and "Never" in body
    assert "Not mine" not in body


def test_it_revokes_my_token(client_for, people):
    token, _raw = api_token_create(user=people["responder"], name="Script", scopes=["read"])
    response = client_for(people["responder"]).post(reverse("oncall_desk:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_hides_someone_elses_token_from_a_non_admin(client_for, people):
    token, _raw = api_token_create(user=people["viewer"], name="Theirs", scopes=["read"])
    response = client_for(people["commander"]).post(reverse("oncall_desk:token-revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_shows_an_admin_the_organizations_tokens_and_lets_them_revoke_one(client_for, people, org):
    token, _raw = api_token_create(user=people["viewer"], name="Leaked one", scopes=["read"])
    stranger = member(OrganizationFactory(), Role.ADMIN)
    api_token_create(user=stranger, name="Elsewhere", scopes=["read"])
    client = client_for(people["admin"])
    body = client.get(PAGE).content.decode()
    assert "Leaked one" in body and "Elsewhere" not in body
    assert client.post(reverse("oncall_desk:token-revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_renders_nothing_one_and_many_tokens_in_flat_queries(client_for, people, org,
                                                                  django_assert_max_num_queries):
    client = client_for(people["admin"])
    with django_assert_max_num_queries(10):
        assert "No tokens." in client.get(PAGE).content.decode()
    api_token_create(user=people["admin"], name="Only one", scopes=["read"])
    with django_assert_max_num_queries(10):
        assert "Only one" in client.get(PAGE).content.decode()
    for n in range(50):
        api_token_create(user=member(org, Role.RESPONDER), name=f"Tool {n}", scopes=["read"])
        if n < 40:
            api_token_create(user=people["admin"], name=f"Mine {n}", scopes=["read"])
    with django_assert_max_num_queries(10):
        body = client.get(PAGE).content.decode()
    assert "Tool 49" in body and "Mine 39" in body
