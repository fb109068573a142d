"""The language of pages outside the reporter site.

Reporter pages carry their language in the URL (Dutch at /, English under
/en/), so they never depend on what a browser says about itself. Staff pages,
the partner portal and the API have no language prefix; for them the language
chosen with the pages' language button (a cookie) decides, else the browser's
Accept-Language, with Dutch as the default.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

BROWSER_LANGUAGE_PREFIXES = ("/staff/", "/partner/", "/api/")


class BrowserLanguageMiddleware:
    """Placed after LocaleMiddleware, which would pick Dutch for every unprefixed path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(BROWSER_LANGUAGE_PREFIXES):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if request.path_info.startswith(BROWSER_LANGUAGE_PREFIXES):
            response.headers["Content-Language"] = request.LANGUAGE_CODE
        return response
