from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .authentication import client_ip
from .models import ApiToken


class PerTokenRateThrottle(SimpleRateThrottle):
    """One budget per token (each of a person's scripts has its own), per person for sessions.

    Counts live in the default cache: point CACHES at Redis so all workers share the budget.
    """

    scope = "per_token"

    def get_rate(self):
        # Read at request time, not import time, so that settings overrides take effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{client_ip(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class WebhookRateThrottle(PerTokenRateThrottle):
    scope = "webhook"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": view.kwargs.get("organization_slug", "")}
