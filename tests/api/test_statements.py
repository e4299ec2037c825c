import pytest

from crisis.models import StatementStatus

pytestmark = pytest.mark.django_db


def _draft(client, incident, body="我们已关注到网络视频，正在核实。"):
    response = client.post(f"/api/v1/incidents/{incident.pk}/statements/",
                           {"channel": "weibo", "kind": "holding", "body": body}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_it_carries_a_statement_from_draft_to_retracted(api_as, open_incident, people):
    incident = open_incident()
    statement = _draft(api_as(people["responder"]), incident)
    url = f"/api/v1/statements/{statement['id']}"

    submitted = api_as(people["responder"]).post(f"{url}/submit/")
    approved = api_as(people["approver"]).post(f"{url}/approve/", {"note": "OK"}, format="json")
    published = api_as(people["commander"]).post(f"{url}/publish/", {"public_url": "https://weibo.com/1"},
                                                 format="json")
    retracted = api_as(people["commander"]).post(f"{url}/retract/", {"reason": "Wrong figures"}, format="json")

    assert submitted.json()["status"] == StatementStatus.IN_REVIEW
    assert approved.json()["current_version"]["approved_by"] == [people["approver"].pk]
    assert published.json()["status"] == StatementStatus.PUBLISHED
    assert published.json()["published_version"] == 1
    assert retracted.json()["status"] == StatementStatus.RETRACTED


def test_it_refuses_to_publish_an_unapproved_statement(api_as, open_incident, people):
    incident = open_incident()
    statement = _draft(api_as(people["responder"]), incident)
    response = api_as(people["commander"]).post(f"/api/v1/statements/{statement['id']}/publish/")

    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"status": [response.json()["error"]["message"]]}


def test_it_keeps_the_author_from_approving_their_own_text(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["approver"])
    statement = _draft(client, incident)
    client.post(f"/api/v1/statements/{statement['id']}/submit/")
    response = client.post(f"/api/v1/statements/{statement['id']}/approve/")

    assert response.status_code == 403


def test_it_saves_a_new_version_and_diffs_it(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    statement = _draft(client, incident, body="我们已关注到视频。\n正在核实。")
    revised = client.post(f"/api/v1/statements/{statement['id']}/versions/",
                          {"body": "我们已关注到视频。\n已联系车主。", "version": statement["version"]}, format="json")
    diff = client.get(f"/api/v1/statements/{statement['id']}/diff/", {"from": 1, "to": 2})

    assert revised.status_code == 201
    assert revised.json()["current_version"]["number"] == 2
    assert "-正在核实。" in diff.json()["unified"]
    assert "+已联系车主。" in diff.json()["unified"]
    assert {"op": "replace", "old": "正在核实", "new": "已联系车主"} in diff.json()["changes"]


def test_it_refuses_a_revision_of_a_stale_version(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    statement = _draft(client, incident)
    client.post(f"/api/v1/statements/{statement['id']}/versions/", {"body": "v2"}, format="json")
    stale = client.post(f"/api/v1/statements/{statement['id']}/versions/",
                        {"body": "v2 from a stale tab", "version": statement["version"]}, format="json")

    assert stale.status_code == 409


def test_it_answers_404_for_a_missing_diff_version(api_as, open_incident, people):
    incident = open_incident()
    statement = _draft(api_as(people["responder"]), incident)
    response = api_as(people["viewer"]).get(f"/api/v1/statements/{statement['id']}/diff/", {"from": 1, "to": 7})

    assert response.status_code == 404


def test_it_lists_versions(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    statement = _draft(client, incident)
    client.post(f"/api/v1/statements/{statement['id']}/versions/", {"body": "Second text"}, format="json")
    response = client.get(f"/api/v1/statements/{statement['id']}/versions/")

    assert [row["number"] for row in response.json()["results"]] == [1, 2]


def test_it_keeps_an_approver_from_approving_their_own_words_re_saved_by_someone_else(api_as, open_incident, people):
    incident = open_incident()
    statement = _draft(api_as(people["approver"]), incident)
    url = f"/api/v1/statements/{statement['id']}"
    responder = api_as(people["responder"])
    resaved = responder.post(f"{url}/versions/", {"body": statement["current_version"]["body"],
                                                  "version": statement["version"]}, format="json")
    responder.post(f"{url}/submit/")
    response = api_as(people["approver"]).post(f"{url}/approve/")

    assert resaved.status_code == 200
    assert resaved.json()["current_version"]["number"] == 1
    assert response.status_code == 403
