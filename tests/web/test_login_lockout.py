"""Password guessing: a user and address pair is locked out after too many failures, on the desk and the admin."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from crisis.models import Role
from tests.factories import member

PASSWORD = "a-long-and-right-password"
WRONG = "not-the-password"


@pytest.fixture
def person(org):
    user = member(org, Role.RESPONDER, username="guessed")
    user.set_password(PASSWORD)
    user.is_staff = True  # may use /admin/ too
    user.is_superuser = True
    user.save()
    return user


def sign_in(client: Client, url: str, password: str, *, username: str = "guessed", address: str = "203.0.113.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(times: int, url: str = "/login/", **kw) -> None:
    for _ in range(times):
        response = sign_in(Client(), url, WRONG, **kw)
        assert response.status_code in (200, 429)


def is_signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_it_refuses_the_right_password_after_too_many_wrong_ones(person, url):
    fail(settings.AXES_FAILURE_LIMIT, url)
    response = sign_in(Client(), url, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in response.wsgi_request.session
    assert "Too many failed sign-in attempts" in response.content.decode()


@pytest.mark.django_db
def test_it_still_lets_the_right_password_in_below_the_limit(person):
    fail(settings.AXES_FAILURE_LIMIT - 1)
    assert is_signed_in(sign_in(Client(), "/login/", PASSWORD))


@pytest.mark.django_db
def test_it_shows_the_lockout_as_a_page_in_the_readers_language(person):
    fail(settings.AXES_FAILURE_LIMIT)
    response = sign_in(Client(), "/zh-hans/login/", PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert "登录失败次数过多" in response.content.decode()


@pytest.mark.django_db
def test_it_locks_the_pair_of_user_and_address_not_the_user_everywhere(person, org):
    other = member(org, Role.RESPONDER, username="colleague")
    other.set_password(PASSWORD)
    other.save()
    fail(settings.AXES_FAILURE_LIMIT)
    # The same person from another address, and a colleague behind the same address, still get in.
    assert is_signed_in(sign_in(Client(), "/login/", PASSWORD, address="198.51.100.9"))
    assert is_signed_in(sign_in(Client(), "/login/", PASSWORD, username="colleague"))


@pytest.mark.django_db
def test_it_lets_the_user_in_again_after_the_cool_off(person):
    fail(settings.AXES_FAILURE_LIMIT)
    assert sign_in(Client(), "/login/", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(seconds=1)):
        assert is_signed_in(sign_in(Client(), "/login/", PASSWORD))


def test_it_cools_off_after_fifteen_minutes_and_ten_failures_by_default():
    assert settings.AXES_FAILURE_LIMIT == 10
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


@pytest.mark.parametrize("password", ["password123", "12345678901", "guessed-1"])
def test_it_refuses_common_numeric_and_similar_passwords(password):
    with pytest.raises(ValidationError):
        validate_password(password, user=User(username="guessed-1"))


def test_it_accepts_a_long_uncommon_password():
    validate_password("crimson-kettle-harbour-42")


def sign_in_through_proxy(url: str, password: str, forwarded_for: str):
    return Client().post(url, {"username": "guessed", "password": password}, REMOTE_ADDR="10.0.0.2",
                         HTTP_X_FORWARDED_FOR=forwarded_for)


@pytest.mark.django_db
def test_it_ignores_x_forwarded_for_when_no_proxy_is_trusted(person):
    """A guesser cannot dodge the lockout by writing a new X-Forwarded-For on each try."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in_through_proxy("/login/", WRONG, f"198.51.100.{n}")

    assert sign_in_through_proxy("/login/", PASSWORD, "198.51.100.200").status_code == 429


@pytest.mark.django_db
def test_it_locks_out_the_client_behind_a_trusted_proxy_not_the_proxy(person, settings):
    settings.GOLDEN_HOURS_TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw; whatever the guesser wrote before it is never read.
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in_through_proxy("/login/", WRONG, f"6.6.6.{n}, 203.0.113.7")

    assert sign_in_through_proxy("/login/", PASSWORD, "203.0.113.7").status_code == 429
    assert is_signed_in(sign_in_through_proxy("/login/", PASSWORD, "192.0.2.44"))


@pytest.mark.parametrize(("count", "forwarded_for", "expected"), [
    (0, "6.6.6.6", "10.0.0.2"),
    (1, "203.0.113.7", "203.0.113.7"),
    (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
    (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
    (2, "203.0.113.7", "10.0.0.2"),  # fewer hops than proxies: only the peer is certain
    (1, "", "10.0.0.2"),
])
def test_it_reads_the_client_address_as_many_hops_from_the_right_as_there_are_proxies(settings, count,
                                                                                        forwarded_for, expected):
    from django.test import RequestFactory

    from config.client_address import client_address

    settings.GOLDEN_HOURS_TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_address(request) == expected
