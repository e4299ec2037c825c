"""The address a sign-in came from, for django-axes' lockout by user and address.

Without a proxy it is the peer address (REMOTE_ADDR), which no client can write. Behind N proxies that each
append the address they saw to X-Forwarded-For (nginx's $proxy_add_x_forwarded_for, Caddy, most load balancers),
the client is the N-th entry from the right: whatever stands left of it, the client wrote itself, so it is never
read. GOLDEN_HOURS_TRUSTED_PROXY_COUNT says N (docs/security.md).
"""

from django.conf import settings


def client_address(request) -> str | None:
    count = settings.GOLDEN_HOURS_TRUSTED_PROXY_COUNT
    peer = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return peer
    hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    # Fewer entries than proxies: the request did not come through all of them (or a proxy is misconfigured);
    # the peer is then the only address nobody could have written.
    return hops[-count] if len(hops) >= count else peer
