from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .authentication import client_ip
from .models import ApiToken


class PerTokenRateThrottle(SimpleRateThrottle):
    """One budget per token (each of a person's scripts has its own), per person for sessions.

    A counter per fixed window, not DRF's log of every request's time: the log is read, rewritten
    and pickled whole on each request, so at a high rate it cost more than the request itself. A
    window allows at most twice the rate across its boundary, which is fine for a budget.
    Counts live in the default cache; with Redis there (``CACHE_URL``) all workers share the budget.
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

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.key = f"{ident}:{window}"
        return self._count() <= self.num_requests

    def _count(self) -> int:
        # The window's first request creates the counter; add() loses to a concurrent first, then incr() counts.
        try:
            return self.cache.incr(self.key)
        except ValueError:
            if self.cache.add(self.key, 1, self.duration + 1):
                return 1
            return self.cache.incr(self.key)

    def wait(self):
        return self.duration - (self.now % self.duration)


class WebhookRateThrottle(PerTokenRateThrottle):
    scope = "webhook"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": view.kwargs.get("organization_slug", "")}
