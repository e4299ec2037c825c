"""The incidents list: every incident of the organization, newest first, searched and filtered, in flat queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.models import Incident, IncidentStatus
from tests.factories import IncidentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

URL = reverse("crisis:incident-list")


def _titles(response) -> list[str]:
    page = response.context["page"]
    return [incident.title for incident in page.object_list] if page else []


def test_it_lists_the_organizations_incidents_newest_first_for_a_viewer(client_for, people, org):
    now = timezone.now()
    IncidentFactory(organization=org, title="Older", first_public_signal_at=now - timedelta(days=3))
    IncidentFactory(organization=org, title="Newer", first_public_signal_at=now - timedelta(hours=1))
    response = client_for(people["viewer"]).get(URL)
    assert response.status_code == 200
    assert _titles(response) == ["Newer", "Older"]


def test_it_never_lists_another_organizations_incident(client_for, people, org):
    IncidentFactory(organization=org, title="Ours")
    theirs = IncidentFactory(organization=OrganizationFactory(), title="Theirs")
    response = client_for(people["viewer"]).get(URL, {"q": "Theirs"})
    assert _titles(response) == []
    assert reverse("crisis:incident-room", args=[theirs.pk]) not in response.content.decode()
    assert _titles(client_for(people["viewer"]).get(URL)) == ["Ours"]


def test_it_says_so_when_there_are_no_incidents_yet(client_for, people):
    content = client_for(people["viewer"]).get(URL).content.decode()
    assert "No incidents yet" in content


def test_it_says_so_when_nothing_matches_the_filters(client_for, people, org):
    IncidentFactory(organization=org, title="Smoke on a train")
    content = client_for(people["viewer"]).get(URL, {"q": "recall"}).content.decode()
    assert "No incident matches these filters." in content


def test_it_finds_an_incident_by_a_word_of_its_title_or_summary(client_for, people, org):
    IncidentFactory(organization=org, title="Phone smoking on a train")
    IncidentFactory(organization=org, title="Warehouse fire", summary="A video of the Suzhou TRAIN depot")
    IncidentFactory(organization=org, title="Price error")
    client = client_for(people["viewer"])
    assert sorted(_titles(client.get(URL, {"q": "train"}))) == ["Phone smoking on a train", "Warehouse fire"]
    assert _titles(client.get(URL, {"q": "train phone"})) == ["Phone smoking on a train"]


def test_it_narrows_by_status_and_severity(client_for, people, org):
    IncidentFactory(organization=org, title="Open one", status=IncidentStatus.ACTIVE, severity=1)
    IncidentFactory(organization=org, title="Closed one", status=IncidentStatus.CLOSED, severity=1)
    IncidentFactory(organization=org, title="Closed minor", status=IncidentStatus.CLOSED, severity=4)
    client = client_for(people["viewer"])
    assert sorted(_titles(client.get(URL, {"status": "closed"}))) == ["Closed minor", "Closed one"]
    assert _titles(client.get(URL, {"status": "closed", "severity": "1"})) == ["Closed one"]


def test_it_reads_the_date_range_as_days_in_the_organizations_zone(client_for, people, org):
    org.time_zone = "Asia/Shanghai"
    org.save()
    # 17:30 UTC on 3 March is 01:30 on 4 March in Shanghai: a 4 March incident there.
    IncidentFactory(organization=org, title="Night", first_public_signal_at=datetime(2026, 3, 3, 17, 30, tzinfo=UTC))
    IncidentFactory(organization=org, title="Day", first_public_signal_at=datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    client = client_for(people["viewer"])
    assert _titles(client.get(URL, {"signal_from": "2026-03-04", "signal_to": "2026-03-04"})) == ["Night"]
    assert _titles(client.get(URL, {"signal_to": "2026-03-03"})) == ["Day"]


def test_it_shows_the_first_signal_in_the_incidents_zone(client_for, people, org):
    IncidentFactory(organization=org, title="Night", time_zone="Asia/Shanghai",
                    first_public_signal_at=datetime(2026, 3, 3, 17, 30, tzinfo=UTC))
    content = client_for(people["viewer"]).get(URL).content.decode()
    assert "2026-03-04 01:30" in content


def test_it_pages_through_many_incidents_keeping_the_filters(client_for, people, org):
    start = timezone.now() - timedelta(days=60)
    Incident.objects.bulk_create([
        IncidentFactory.build(organization=org, title=f"Case {n}", first_public_signal_at=start + timedelta(hours=n))
        for n in range(30)
    ])
    client = client_for(people["viewer"])
    first = client.get(URL, {"q": "Case"})
    assert len(_titles(first)) == 25 and _titles(first)[0] == "Case 29"
    assert "q=Case&amp;page=2" in first.content.decode()
    second = client.get(URL, {"q": "Case", "page": 2})
    assert _titles(second) == [f"Case {n}" for n in range(4, -1, -1)]


def test_it_is_linked_from_the_header_and_the_dashboard(client_for, people):
    content = client_for(people["viewer"]).get(reverse("crisis:home")).content.decode()
    assert content.count(f'href="{URL}"') == 2


@pytest.mark.parametrize("count", [0, 1, 300])
def test_it_keeps_the_query_count_flat(client_for, people, org, django_assert_max_num_queries, count):
    start = timezone.now() - timedelta(days=400)
    Incident.objects.bulk_create([
        IncidentFactory.build(organization=org, commander=people["commander"], title=f"Case {n}",
                              first_public_signal_at=start + timedelta(hours=n))
        for n in range(count)
    ])
    client = client_for(people["viewer"])
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"q": "Case", "status": "active", "page": 2 if count > 25 else 1})
    assert response.status_code == 200


def test_it_says_what_is_wrong_with_a_date_it_cannot_read(client_for, people, org):
    IncidentFactory(organization=org, title="Smoke on a train")
    response = client_for(people["viewer"]).get(URL, {"signal_from": "2026-13-40"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
