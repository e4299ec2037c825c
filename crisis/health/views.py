"""/healthz, /readyz and /metrics: for load balancers, orchestrators and Prometheus, not for people.

Outside the language prefix, without sign-in (``login_not_required``: also under LoginRequiredMiddleware), GET and
HEAD only, never cached.
"""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .checks import readiness
from .conf import setting


@login_not_required
@never_cache
@require_safe
def healthz(request):
    """The process is up and answers; nothing else is touched (no database), so a restart is never triggered by a
    dependency's outage."""
    return JsonResponse({"status": "ok", "checks": {"process": {"ok": True}}})


@login_not_required
@never_cache
@require_safe
def readyz(request):
    """Ready to serve the desk: database, broker, a fresh engine heartbeat and a worker answering. 503 otherwise."""
    results = readiness()
    ok = all(r.ok for r in results)
    return JsonResponse({"status": "ok" if ok else "failing", "checks": {r.name: r.as_dict() for r in results}},
                        status=200 if ok else 503)


def _metrics_allowed(request) -> bool:
    token = setting("GOLDEN_HOURS_METRICS_TOKEN")
    if not token:
        return settings.DEBUG  # development only: production without a token shows nothing
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@login_not_required
@never_cache
@require_safe
def metrics(request):
    if not _metrics_allowed(request):
        response = JsonResponse({"detail": "A bearer token (GOLDEN_HOURS_METRICS_TOKEN) is required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    from prometheus_client import CONTENT_TYPE_LATEST

    from .metrics import metrics_text

    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
