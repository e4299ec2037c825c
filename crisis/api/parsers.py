from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Generous for 1,000 sentiment points with notes, small enough that nobody can post 10 MB strings.
DEFAULT_MAX_BYTES = 2_621_440


class BoundedJSONParser(JSONParser):
    """JSON only, strict (no NaN/Infinity), and no larger than the request-size limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or DEFAULT_MAX_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            too_large = declared is not None and int(declared) > limit
        except ValueError:
            too_large = True
        if too_large:
            raise ParseError(_("The request body is larger than %(n)d bytes.") % {"n": limit}, code="too_large")
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("The request body is nested too deeply.")) from exc


def raw_body(request) -> bytes:
    """The bytes as sent (for signatures and digests), with the size limit as a 400 like any parse error."""
    try:
        return request.body
    except RequestDataTooBig as exc:
        raise ParseError(_("The request body is too large."), code="too_large") from exc
