from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken, TokenScope


class TokenScopePermission(BasePermission):
    """A token acts only within its scopes; a session acts with the person's full role."""

    message = _("This token has the read scope only; writing needs a token with the write scope.")

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        needed = TokenScope.READ if request.method in SAFE_METHODS else TokenScope.WRITE
        return token.allows(needed)


class SessionOnly(BasePermission):
    """Token management needs the person at the web page: a leaked token must not mint more tokens."""

    message = _("Manage tokens from a signed-in browser session, not with a token.")

    def has_permission(self, request, view) -> bool:
        return not isinstance(request.auth, ApiToken)
