"""The "My notifications" page: each person adds, edits, removes and tests their own contact methods,
and sets their quiet hours."""

from datetime import time

import pytest
from django.test import Client
from django.urls import reverse

from crisis.models import AuditEntry
from crisis.oncall.models import ContactMethod, ContactPreference, Delivery, DeliveryStatus
from crisis.oncall.services.contacts import contact_method_remove, contact_method_update
from crisis.services.errors import PermissionDenied

from .factories import ContactMethodFactory

pytestmark = pytest.mark.django_db

MY_PAGE = "oncall_desk:my-notifications"
# A literal public address: the private-address check needs no DNS, and tests never send (SEND_TIMERS is off).
PUBLIC_HOOK = "https://1.1.1.1/hooks/golden-hours?token=abc123"


@pytest.fixture
def me(people):
    return people["responder"]


@pytest.fixture
def my_client(client_for, me):
    return client_for(me)


def add(client, **fields):
    data = {"kind": "email", "label": "", "target": "", "secret": "", "position": "", "is_active": "on"}
    data.update(fields)
    return client.post(reverse("oncall_desk:contact-add"), data)


def edit(client, contact, **fields):
    data = {"kind": contact.kind, "label": contact.label, "target": contact.target, "secret": "",
            "position": contact.position, "is_active": "on" if contact.is_active else ""}
    data.update(fields)
    return client.post(reverse("oncall_desk:contact-edit", args=[contact.pk]), data)


def test_it_lists_my_contact_methods_and_never_shows_secrets_back(my_client, me, people):
    ContactMethodFactory(user=me, kind="webhook", label="Pager bridge", target=PUBLIC_HOOK, secret="hush-hush")
    ContactMethodFactory(user=me, kind="apprise", label="Team Slack", target="slack://TokenA/TokenB/TokenC/#crisis",
                         secret="")
    ContactMethodFactory(user=people["approver"], kind="email", label="Somebody else", target="them@example.com",
                         secret="")
    response = my_client.get(reverse(MY_PAGE))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Pager bridge" in body and "Team Slack" in body
    assert "https://1.1.1.1/…" in body and "slack://…" in body
    assert "Somebody else" not in body
    for credential in ("hush-hush", "token=abc123", "TokenA", "TokenB"):
        assert credential not in body


def test_it_is_linked_from_the_navigation(my_client):
    body = my_client.get(reverse("oncall_desk:sent")).content.decode()
    assert f'href="{reverse(MY_PAGE)}"' in body


def test_it_sends_signed_out_visitors_to_sign_in(client):
    response = client.get(reverse(MY_PAGE))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_adds_an_email_contact_method_and_audits_it(my_client, me, org):
    response = add(my_client, kind="email", label="Work", target=" me@example.com ")
    assert response.status_code == 302 and response["Location"] == reverse(MY_PAGE)
    contact = ContactMethod.objects.get(user=me)
    assert (contact.kind, contact.label, contact.target, contact.is_active) == ("email", "Work", "me@example.com", True)
    entry = AuditEntry.objects.get(action="contact_method.add")
    assert (entry.organization, entry.actor, entry.object_id, entry.via) == (org, me, str(contact.pk), "session")


def test_it_puts_a_new_contact_method_after_the_others(my_client, me):
    ContactMethodFactory(user=me, kind="console", target="", position=4)
    add(my_client, kind="email", target="me@example.com")
    assert ContactMethod.objects.get(kind="email").position == 5


def test_it_adds_a_webhook_with_a_secret_and_keeps_the_secret_out_of_the_audit_log(my_client, me):
    add(my_client, kind="webhook", target=PUBLIC_HOOK, secret="hush-hush")
    assert ContactMethod.objects.get(user=me).secret == "hush-hush"
    changes = AuditEntry.objects.get(action="contact_method.add").changes
    assert changes["secret"] == "changed"
    assert "hush-hush" not in str(changes) and "abc123" not in str(changes)


def test_it_adds_a_chat_app_address_apprise_understands(my_client, me):
    add(my_client, kind="apprise", target="dingtalk://secrettoken/")
    assert ContactMethod.objects.get(user=me).kind == "apprise"


@pytest.mark.parametrize("target", ["discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js",
                                    "tgram://123456789:abcdefg_hijklmnop/12315544",
                                    "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"])
def test_it_takes_a_token_where_a_chat_app_puts_its_host_for_a_token_not_an_address(my_client, me, target):
    """Discord's webhook id is a number, as 2130706433 is 127.0.0.1: only what the sending guard sees counts."""
    response = add(my_client, kind="apprise", target=target)
    assert response.status_code == 302
    assert ContactMethod.objects.get(user=me).target == target


@pytest.mark.parametrize(("kind", "target"), [
    ("email", "not-an-email"),
    ("email", ""),
    ("webhook", "ftp://1.1.1.1/hook"),
    ("webhook", "hook.example"),
    ("webhook", "http://127.0.0.1:8000/admin/"),
    ("webhook", "http://169.254.169.254/latest/meta-data/"),
    ("apprise", "nonsense://whatever"),
    ("apprise", "json://10.0.0.5/internal"),
    ("apprise", "ntfy://127.0.0.1:8080/pager-topic"),
    ("apprise", "gotify://localhost/tokenabcdefghij"),
    ("apprise", "bark://LOCALHOST./devicekey"),
    ("apprise", "mmost://[::1]/tokenabcdefghijklmnopqrstu"),
    ("apprise", "hassio://169.254.169.254/accesstoken"),
    ("apprise", "rocket://abcdefghijk/lmnopqrstuvw@10.1.2.3/#general?mode=webhook"),
    ("apprise", "mailto://u:p@example.com?smtp=127.0.0.1&from=me@example.com&to=you@example.com"),
])
def test_it_refuses_an_address_that_does_not_fit_the_kind_with_a_400_and_writes_nothing(my_client, kind, target):
    response = add(my_client, kind=kind, target=target)
    assert response.status_code == 400
    assert response.context["add_form"].errors["target"]
    assert 'class="errorlist' in response.content.decode()
    assert not ContactMethod.objects.exists()
    assert not AuditEntry.objects.exists()


def test_it_refuses_an_unknown_kind_with_a_400(my_client):
    response = add(my_client, kind="carrier-pigeon", target="loft 3")
    assert response.status_code == 400
    assert response.context["add_form"].errors["kind"]
    assert not ContactMethod.objects.exists()


def test_it_edits_a_contact_method_and_keeps_the_secret_when_left_empty(my_client, me):
    contact = ContactMethodFactory(user=me, kind="webhook", label="Old", target=PUBLIC_HOOK, secret="hush-hush")
    page = my_client.get(reverse("oncall_desk:contact-edit", args=[contact.pk])).content.decode()
    assert "hush-hush" not in page
    response = edit(my_client, contact, label="New", is_active="")
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.label, contact.is_active, contact.secret) == ("New", False, "hush-hush")
    changes = AuditEntry.objects.get(action="contact_method.update").changes
    assert changes == {"label": ["Old", "New"], "is_active": [True, False]}


def test_it_replaces_or_removes_the_secret_on_request(my_client, me):
    contact = ContactMethodFactory(user=me, kind="webhook", target=PUBLIC_HOOK, secret="old")
    edit(my_client, contact, secret="new")
    contact.refresh_from_db()
    assert contact.secret == "new"
    edit(my_client, contact, clear_secret="on")
    contact.refresh_from_db()
    assert contact.secret == ""


def test_it_keeps_an_admin_configured_private_webhook_when_only_the_label_changes(my_client, me):
    contact = ContactMethodFactory(user=me, kind="webhook", target="http://10.1.2.3/hook", label="On-prem")
    assert edit(my_client, contact, label="On-prem receiver").status_code == 302
    assert edit(my_client, contact, target="http://10.1.2.4/hook").status_code == 400
    contact.refresh_from_db()
    assert (contact.label, contact.target) == ("On-prem receiver", "http://10.1.2.3/hook")


def test_it_refuses_a_bad_edit_with_a_400_and_changes_nothing(my_client, me):
    contact = ContactMethodFactory(user=me, kind="email", target="me@example.com", label="Work", secret="")
    response = edit(my_client, contact, kind="webhook", label="Changed")
    assert response.status_code == 400
    assert response.context["form"].errors["target"]
    contact.refresh_from_db()
    assert (contact.kind, contact.label) == ("email", "Work")
    assert not AuditEntry.objects.exists()


def test_it_removes_a_contact_method(my_client, me):
    contact = ContactMethodFactory(user=me, kind="email", target="me@example.com", secret="")
    response = my_client.post(reverse("oncall_desk:contact-remove", args=[contact.pk]))
    assert response.status_code == 302
    assert not ContactMethod.objects.filter(pk=contact.pk).exists()
    assert AuditEntry.objects.get(action="contact_method.remove").object_id == str(contact.pk)


@pytest.mark.parametrize(("method", "name"), [
    ("get", "oncall_desk:contact-edit"),
    ("post", "oncall_desk:contact-edit"),
    ("post", "oncall_desk:contact-remove"),
    ("post", "oncall_desk:contact-test"),
])
def test_it_answers_404_for_another_persons_contact_method(my_client, people, method, name):
    theirs = ContactMethodFactory(user=people["approver"], kind="email", target="them@example.com", label="Theirs")
    response = getattr(my_client, method)(reverse(name, args=[theirs.pk]),
                                          {"kind": "email", "target": "me@example.com", "position": 0})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.label, theirs.target) == ("Theirs", "them@example.com")
    assert not Delivery.objects.exists()


def test_it_refuses_service_changes_to_someone_elses_contact_method(me, people):
    theirs = ContactMethodFactory(user=people["approver"], kind="email", target="them@example.com")
    with pytest.raises(PermissionDenied):
        contact_method_update(contact=theirs, actor=me, kind="email", target="me@example.com", label="",
                              position=0, is_active=True)
    with pytest.raises(PermissionDenied):
        contact_method_remove(contact=theirs, actor=me)
    assert ContactMethod.objects.get(pk=theirs.pk).target == "them@example.com"


def test_it_saves_quiet_hours_and_time_zone(my_client, me):
    response = my_client.post(reverse("oncall_desk:quiet-hours"),
                              {"time_zone": "Europe/London", "quiet_start": "22:00", "quiet_end": "07:00"})
    assert response.status_code == 302
    preference = ContactPreference.objects.get(user=me)
    assert (preference.time_zone, preference.quiet_start, preference.quiet_end) == (
        "Europe/London", time(22, 0), time(7, 0))
    assert AuditEntry.objects.get(action="contact_preference.set").changes["quiet_start"] == [None, "22:00"]
    body = my_client.get(reverse(MY_PAGE)).content.decode()
    assert "From 22:00 to 07:00 (Europe/London)" in body


def test_it_rejects_an_unknown_time_zone(my_client, me):
    response = my_client.post(reverse("oncall_desk:quiet-hours"),
                              {"time_zone": "Mars/Olympus_Mons", "quiet_start": "22:00", "quiet_end": "07:00"})
    assert response.status_code == 400
    assert "not a known IANA time zone" in response.context["quiet_form"].errors["time_zone"][0]
    assert not ContactPreference.objects.exists()


def test_it_rejects_quiet_hours_with_only_one_end(my_client, me):
    response = my_client.post(reverse("oncall_desk:quiet-hours"),
                              {"time_zone": "Asia/Shanghai", "quiet_start": "22:00"})
    assert response.status_code == 400
    assert response.context["quiet_form"].errors["quiet_end"]
    assert not ContactPreference.objects.exists()


def test_it_queues_a_test_notification_for_exactly_that_contact_method(my_client, me):
    ContactMethodFactory(user=me, kind="console", target="", position=0)
    chosen = ContactMethodFactory(user=me, kind="email", target="me@example.com", secret="", position=1)
    response = my_client.post(reverse("oncall_desk:contact-test", args=[chosen.pk]), follow=True)
    delivery = Delivery.objects.get()
    assert (delivery.contact, delivery.kind, delivery.status) == (chosen, "email", DeliveryStatus.QUEUED)
    assert response.redirect_chain == [(reverse(MY_PAGE), 302)]
    body = response.content.decode()
    assert "Test notification queued" in body
    assert f'<a href="{reverse("oncall_desk:sent")}">Sent messages</a>' in body


def test_it_enforces_csrf(me):
    me.refresh_from_db()
    client = Client(enforce_csrf_checks=True)
    client.force_login(me)
    assert add(client, kind="email", target="me@example.com").status_code == 403
    assert not ContactMethod.objects.exists()
    # The same post with the page's token goes through: the 403 was the missing token, nothing else.
    token = client.get(reverse(MY_PAGE)).context["csrf_token"]
    assert add(client, kind="email", target="me@example.com", csrfmiddlewaretoken=token).status_code == 302
    assert ContactMethod.objects.filter(user=me).count() == 1


def test_it_keeps_the_query_count_flat(my_client, me, django_assert_max_num_queries):
    for n in range(10):
        ContactMethodFactory(user=me, kind="email", target=f"me+{n}@example.com", secret="", position=n)
    with django_assert_max_num_queries(8):
        assert my_client.get(reverse(MY_PAGE)).status_code == 200


def test_it_speaks_the_readers_language(my_client):
    from django.utils import translation

    with translation.override("zh-hans"):
        url = reverse("oncall_desk:my-notifications")
    assert url == "/zh-hans/oncall/me/"
    body = my_client.get(url).content.decode()
    assert "<h1>我的通知</h1>" in body
    assert 'href="/zh-hans/oncall/sent/"' in body
