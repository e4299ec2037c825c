"""The reader's language on every URL, not only under a language prefix."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ReaderLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, except that a URL without a language prefix follows the language cookie
    (then Accept-Language) instead of always reading in the default language.

    With ``i18n_patterns(prefix_default_language=False)`` Django takes an unprefixed path to mean the
    default language, so an acknowledge link in a page message, a bookmark or the API read English
    whatever the reader chose. Here:
    - a prefix still wins: ``/zh-hans/...`` is Chinese for everyone;
    - a page of the desk asked for without one (a bookmark, a link typed by hand) is redirected to the
      reader's prefix, as Django does with ``prefix_default_language=True`` (a GET only: a form posted
      to an unprefixed address is answered in the default language rather than lose its body);
    - addresses outside ``i18n_patterns`` (acknowledge links, calendar feeds, the API) answer in the
      reader's language where they are.
    """

    def process_request(self, request):
        super().process_request(request)
        if translation.get_language_from_path(request.path_info) is not None:
            return None
        language = translation.get_language_from_request(request, check_path=False)
        if language == settings.LANGUAGE_CODE:
            return None
        urlconf = getattr(request, "urlconf", None)
        translation.activate(language)
        if is_valid_path(request.path_info, urlconf):
            request.LANGUAGE_CODE = translation.get_language()
            return None
        prefixed = f"/{language}{request.path_info}"
        if request.method in ("GET", "HEAD") and is_valid_path(prefixed, urlconf):
            script = request.path[: len(request.path) - len(request.path_info)]
            query = request.META.get("QUERY_STRING", "")
            redirect = HttpResponseRedirect(script + prefixed + (f"?{query}" if query else ""))
            patch_vary_headers(redirect, ("Accept-Language", "Cookie"))
            return redirect
        translation.activate(settings.LANGUAGE_CODE)
        return None

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if translation.get_language_from_path(request.path_info) is None:
            # The same address answers in more than one language: caches must keep them apart.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
