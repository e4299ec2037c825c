import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from crisis.demo.seed import demo_seed
from crisis.models import AuditEntry, SentimentCheckpoint, StatementApproval, TimelineEvent

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
APPEND_ONLY = [TimelineEvent, SentimentCheckpoint, StatementApproval, AuditEntry]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def demo():
    from django.utils import timezone

    from crisis.oncall.models import ContactMethod, ReceiverBreaker

    demo_seed()
    Group.objects.create(name="Crisis desk")
    # The demo's receivers are all healthy, so no breaker has a row until something fails.
    now = timezone.now()
    ReceiverBreaker.objects.create(contact=ContactMethod.objects.first(), state="open", failures=5, state_since=now,
                                   next_probe_at=now, last_error="Connection refused", updated_at=now)
    # Sign-in lockouts (django-axes) have rows only after somebody guessed wrong.
    from axes.models import AccessAttempt, AccessFailureLog

    guess = {"username": "demo-viewer", "ip_address": "203.0.113.7", "user_agent": "curl", "path_info": "/login/",
             "http_accept": "*/*"}
    AccessAttempt.objects.create(**guess, failures_since_start=3, get_data="", post_data="")
    AccessFailureLog.objects.create(**guess, locked_out=False)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_it_opens_the_changelist_of_every_registered_model(admin_client, demo, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_it_opens_a_record_of_every_registered_model(admin_client, demo, model):
    row = model._default_manager.first()
    assert admin_client.get(admin_url(model, "change", row.pk)).status_code == 200


def test_it_seeds_a_row_for_every_append_only_model(demo):
    assert all(model.objects.exists() for model in APPEND_ONLY)


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda model: model._meta.label)
def test_it_offers_no_add_for_an_append_only_model(admin_client, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 403


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda model: model._meta.label)
def test_it_offers_no_delete_for_an_append_only_model(admin_client, demo, model):
    row = model.objects.first()
    assert admin_client.post(admin_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda model: model._meta.label)
def test_it_offers_no_bulk_delete_action_for_an_append_only_model(rf, admin_user, model):
    request = rf.get("/")
    request.user = admin_user
    assert "delete_selected" not in admin.site._registry[model].get_actions(request)


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda model: model._meta.label)
def test_it_refuses_to_save_an_append_only_record_through_the_admin(admin_client, demo, model):
    row = model.objects.first()
    response = admin_client.post(admin_url(model, "change", row.pk), {})
    assert response.status_code == 403


def test_it_shows_statement_versions_only_inline_without_add_or_delete(rf, admin_user):
    from crisis.models import Statement, StatementVersion

    request = rf.get("/")
    request.user = admin_user
    assert StatementVersion not in admin.site._registry
    inline = next(i for i in admin.site._registry[Statement].get_inline_instances(request)
                  if i.model is StatementVersion)
    assert (inline.has_add_permission(request, None), inline.can_delete) == (False, False)
