from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from meldpunt.vault.sessionsecrets import apply_cookie


class SessionSecretMiddleware:
    """Sets or clears the browser-held key of the session secrets."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        apply_cookie(request, response)
        return response
