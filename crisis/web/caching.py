"""Signed-in answers are never stored: a shared computer's browser cache or back button, or a proxy, must not
show one person's crisis desk to the next."""

from django.utils.cache import add_never_cache_headers, patch_cache_control


class SignedInNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # request.user is a session user here; an API token's user is known only inside DRF (request.auth).
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if signed_in:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
