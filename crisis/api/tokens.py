"""Changes to the API's own records (tokens, webhook secrets), audited like every other write."""

from django.db import transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Organization, Role
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import InvalidTransition
from crisis.services.validation import FieldErrors, check_text

from .models import ApiToken, TokenScope, WebhookSecret, token_digest

MAX_ACTIVE_TOKENS = 50
MAX_ACTIVE_WEBHOOK_SECRETS = 2


@transaction.atomic
def api_token_create(*, user, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """Make a token and return it with its only clear-text copy, which the caller shows once."""
    errors = FieldErrors()
    check_text(errors, "name", name, max_length=100)
    if not scopes or any(scope not in TokenScope.values for scope in scopes):
        errors.add("scopes", _("Give one or more of: %(s)s.") % {"s": ", ".join(TokenScope.values)})
    errors.raise_if_any()
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise InvalidTransition(_("You have %(n)d active tokens; revoke one first.") % {"n": MAX_ACTIVE_TOKENS})
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=raw[:10], digest=token_digest(raw), scopes=sorted(set(scopes))
    )
    audit_record(organization=None, actor=user, action="api_token.create", obj=token,
                 changes={"name": token.name, "scopes": token.scopes})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    # Set once: revoking twice keeps the first time, which is when access actually ended.
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now()):
        token.refresh_from_db(fields=["revoked_at"])
        audit_record(organization=None, actor=actor, action="api_token.revoke", obj=token)
    return token


@transaction.atomic
def webhook_secret_create(*, organization: Organization, actor, name: str) -> WebhookSecret:
    membership_require(user=actor, organization=organization, role=Role.ADMIN)
    errors = FieldErrors()
    check_text(errors, "name", name, max_length=100)
    errors.raise_if_any()
    active = WebhookSecret.objects.filter(organization=organization, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_WEBHOOK_SECRETS:
        # The request is well formed; the organization's state refuses it, as a conflict (409), like a transition.
        raise InvalidTransition(_("Two secrets are already active; revoke the old one after the tool has switched."))
    secret = WebhookSecret.objects.create(
        organization=organization, name=name.strip(), secret=WebhookSecret.generate(), created_by=actor
    )
    audit_record(organization=organization, actor=actor, action="webhook_secret.create", obj=secret,
                 changes={"name": secret.name})
    return secret


@transaction.atomic
def webhook_secret_revoke(*, secret: WebhookSecret, actor) -> WebhookSecret:
    membership_require(user=actor, organization=secret.organization, role=Role.ADMIN)
    if WebhookSecret.objects.filter(pk=secret.pk, revoked_at__isnull=True).update(revoked_at=clock.now()):
        secret.refresh_from_db(fields=["revoked_at"])
        audit_record(organization=secret.organization, actor=actor, action="webhook_secret.revoke", obj=secret)
    return secret
