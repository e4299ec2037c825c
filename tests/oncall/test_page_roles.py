"""Who may stop a page: the people it was sent to, and responders and up; resolving it takes a responder.

Every role through the API (a write token), the web desk and the signed link in the message; another
organization's page is a 404 everywhere, never a redirect that says "Not found"."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from crisis.api.tokens import api_token_create
from crisis.models import Role, role_at_least
from crisis.oncall.links import ack_token
from crisis.oncall.models import Page, PageState
from crisis.oncall.services.pages import page_trigger

from .factories import ContactMethodFactory

pytestmark = pytest.mark.django_db

ROLES = [r.value for r in Role]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_as():
    def _client(user):
        client = APIClient()
        token = api_token_create(user=user, name="bot", scopes=["read", "write"])[1]
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client
    return _client


@pytest.fixture
def paging(open_incident, people):
    """Page one person by hand (the approver unless told): the page is theirs to answer."""
    incident = open_incident()

    def _page(to: str = "approver") -> Page:
        return page_trigger(incident=incident, actor=people["commander"], title="Legal sign-off",
                            target_user=people[to])
    return _page


def state_of(page: Page) -> str:
    return Page.objects.get(pk=page.pk).state


# The API

@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_responders_and_up_acknowledge_someone_elses_page_through_the_api(
        role, api_as, people, paging):
    page = paging(to="approver" if role != "approver" else "commander")
    response = api_as(people[role]).post(f"/api/v1/pages/{page.pk}/acknowledge/")
    if role_at_least(role, Role.RESPONDER):
        assert (response.status_code, state_of(page)) == (200, PageState.ACKNOWLEDGED)
    else:
        assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")
        assert state_of(page) == PageState.TRIGGERED


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_the_paged_person_acknowledge_their_own_page_through_the_api_whatever_their_role(
        role, api_as, people, paging):
    page = paging(to=role)
    response = api_as(people[role]).post(f"/api/v1/pages/{page.pk}/acknowledge/")
    assert (response.status_code, state_of(page)) == (200, PageState.ACKNOWLEDGED)


def test_it_lets_a_viewer_paged_down_the_policy_acknowledge(api_as, people, paging):
    """Paged by a delivery (not named as the page's target): still the person the page was sent to."""
    from crisis.oncall.models import Delivery

    page = paging(to="approver")
    Delivery.objects.filter(page=page).update(user=people["viewer"])
    response = api_as(people["viewer"]).post(f"/api/v1/pages/{page.pk}/acknowledge/")
    assert (response.status_code, state_of(page)) == (200, PageState.ACKNOWLEDGED)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_responders_and_up_resolve_through_the_api(role, api_as, people, paging):
    page = paging(to=role)  # even the paged person: resolving is a responder's call
    response = api_as(people[role]).post(f"/api/v1/pages/{page.pk}/resolve/", {"note": "done"}, format="json")
    if role_at_least(role, Role.RESPONDER):
        assert (response.status_code, state_of(page)) == (200, PageState.RESOLVED)
    else:
        assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")
        assert state_of(page) == PageState.TRIGGERED


def test_it_answers_404_to_another_organizations_member_through_the_api(api_as, people, paging):
    page = paging()
    client = api_as(people["outsider"])
    assert client.post(f"/api/v1/pages/{page.pk}/acknowledge/").status_code == 404
    assert client.post(f"/api/v1/pages/{page.pk}/resolve/", {}, format="json").status_code == 404
    assert state_of(page) == PageState.TRIGGERED


# The web desk

def ack_on_the_desk(client, page):
    return client.post(reverse("oncall_desk:page-acknowledge", args=[page.pk]))


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_only_responders_and_up_acknowledge_someone_elses_page_on_the_desk(
        role, client_for, people, paging):
    page = paging(to="approver" if role != "approver" else "commander")
    response = ack_on_the_desk(client_for(people[role]), page)
    if role_at_least(role, Role.RESPONDER):
        assert (response.status_code, state_of(page)) == (302, PageState.ACKNOWLEDGED)
    else:
        assert (response.status_code, state_of(page)) == (403, PageState.TRIGGERED)


@pytest.mark.parametrize("role", ROLES)
def test_it_lets_the_paged_person_acknowledge_on_the_desk_whatever_their_role(role, client_for, people, paging):
    page = paging(to=role)
    response = ack_on_the_desk(client_for(people[role]), page)
    assert (response.status_code, state_of(page)) == (302, PageState.ACKNOWLEDGED)


def test_it_answers_404_to_another_organizations_member_on_the_desk(client_for, people, paging):
    page = paging()
    response = ack_on_the_desk(client_for(people["outsider"]), page)
    assert (response.status_code, state_of(page)) == (404, PageState.TRIGGERED)


def test_it_offers_the_acknowledge_button_only_to_whom_it_would_work(client_for, people, paging):
    paging(to="approver")
    viewer = client_for(people["viewer"]).get(reverse("oncall_desk:sent")).content.decode()
    approver = client_for(people["approver"]).get(reverse("oncall_desk:sent")).content.decode()
    assert "Legal sign-off" in viewer
    assert "Acknowledge</button>" not in viewer
    assert "Acknowledge</button>" in approver


def test_it_answers_404_for_another_persons_contact_method_on_the_desk(client_for, people):
    contact = ContactMethodFactory(user=people["approver"], kind="console", target="")
    client = client_for(people["outsider"])
    for name, method in [("contact-edit", "get"), ("contact-edit", "post"), ("contact-remove", "post"),
                         ("contact-test", "post")]:
        response = getattr(client, method)(reverse(f"oncall_desk:{name}", args=[contact.pk]))
        assert response.status_code == 404, name


# The signed link in the message

def ack_by_link(client, page, user):
    return client.post(reverse("oncall:ack", kwargs={"token": ack_token(page_id=page.pk, user_id=user.pk)}))


@pytest.mark.parametrize("role", ROLES)
def test_it_acknowledges_from_the_paged_persons_own_link_whatever_their_role(role, client, people, paging):
    page = paging(to=role)
    assert (ack_by_link(client, page, people[role]).status_code, state_of(page)) == (200, PageState.ACKNOWLEDGED)


def test_it_refuses_a_link_made_out_to_a_viewer_who_was_not_paged(client, people, paging):
    page = paging(to="approver")
    assert (ack_by_link(client, page, people["viewer"]).status_code, state_of(page)) == (403, PageState.TRIGGERED)


def test_it_answers_404_to_the_link_of_someone_no_longer_a_member(client, people, paging):
    page = paging(to="viewer")
    people["viewer"].memberships.all().delete()
    link = reverse("oncall:ack", kwargs={"token": ack_token(page_id=page.pk, user_id=people["viewer"].pk)})
    assert client.get(link).status_code == 404  # not even the page's title
    assert (ack_by_link(client, page, people["viewer"]).status_code, state_of(page)) == (404, PageState.TRIGGERED)


def test_it_answers_404_to_the_link_of_a_deactivated_account(client, people, paging):
    page = paging(to="approver")
    type(people["approver"]).objects.filter(pk=people["approver"].pk).update(is_active=False)
    assert (ack_by_link(client, page, people["approver"]).status_code, state_of(page)) == (404, PageState.TRIGGERED)
