"""Personal API tokens: ``Authorization: Bearer gh_...``. Looked up by hash, never stored in clear."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from crisis import clock

from .models import ApiToken, token_digest
from .selectors import active_token

# Writing last-used on every request would turn every read into a write; a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)
KEYWORDS = (b"bearer", b"token")


def client_ip(request) -> str | None:
    """The peer address. X-Forwarded-For is trusted only behind a proxy that sets it, which is deployment's job."""
    return request.META.get("REMOTE_ADDR") or None


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give one token after the keyword."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        token = active_token(digest=token_digest(raw))
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        self._touch(token, request)
        return token.user, token

    def _touch(self, token: ApiToken, request) -> None:
        now = clock.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            ip = client_ip(request)
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
            token.last_used_at, token.last_used_ip = now, ip

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with this challenge) instead of 403 when no credentials came.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "crisis.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": str(_("A personal API token (gh_...)."))}
