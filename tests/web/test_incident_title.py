"""The title on the open-an-incident form: shown whole, never cut by the browser, refused with a reason if too long."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.models import Incident
from crisis.web.forms import IncidentOpenForm

pytestmark = pytest.mark.django_db

LIMIT = Incident._meta.get_field("title").max_length


def _post(client, title):
    signal = (timezone.now() - timedelta(minutes=20)).astimezone(timezone.get_fixed_timezone(0))
    return client.post(reverse("crisis:incident-open"), {
        "title": title, "severity": 2, "status": "active", "first_public_signal_at": signal.strftime("%Y-%m-%dT%H:%M"),
    })


def test_it_renders_a_wrapping_title_box_without_a_browser_limit(org):
    html = str(IncidentOpenForm(organization=org)["title"])
    assert "<textarea" in html
    assert 'class="title-input"' in html
    # maxlength would make the browser drop the end of a pasted title without saying so.
    assert "maxlength" not in html


def test_it_keeps_a_title_of_the_full_length(client_for, people):
    title = ("Battery fire video on a Shenzhen-Guangzhou high-speed train spreads from Douyin to Weibo; "
             "passengers say staff took 20 minutes to respond ").ljust(LIMIT, "x")
    response = _post(client_for(people["responder"]), title)
    assert response.status_code == 302
    assert Incident.objects.get().title == title


def test_it_refuses_a_title_over_the_limit_with_the_fields_error(client_for, people):
    response = _post(client_for(people["responder"]), "y" * (LIMIT + 12))
    body = response.content.decode()
    assert response.status_code == 400
    assert f"Ensure this value has at most {LIMIT} characters (it has {LIMIT + 12})." in body
    assert "y" * (LIMIT + 12) in body  # the whole title comes back to be shortened, not cut
    assert not Incident.objects.exists()


def test_it_joins_a_title_pasted_over_several_lines(client_for, people):
    _post(client_for(people["responder"]), "Door would not open\r\nafter crash ")
    assert Incident.objects.get().title == "Door would not open after crash"
