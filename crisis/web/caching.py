"""Signed-in answers are never stored: a shared computer's browser cache or back button, or a proxy, must not
show one person's crisis desk to the next."""

from django.utils.cache import add_never_cache_headers, patch_cache_control


class SignedInNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # An API token's user is known only inside DRF, so its header counts as signed in; it is checked first so a
        # token request does not load a session user it never uses.
        user = getattr(request, "user", None)
        signed_in = "HTTP_AUTHORIZATION" in request.META or bool(user is not None and user.is_authenticated)
        if signed_in:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
