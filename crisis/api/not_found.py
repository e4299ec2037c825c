"""A 404 for an address no route matches: the API's error body under /api/, the desk's page elsewhere.

Django answers such addresses itself, before any API view runs, with an HTML page; a client of the API (and its
schema, which declares JSON errors) expects the same body as every other API error. Also /api/v1/pages/abc/:
the id is not a number, so no route matches.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .errors import error_body


def api_or_page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return defaults.page_not_found(request, exception)
