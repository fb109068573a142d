"""Middleware that keeps the identity of clients out of the application.

The reporting point must not be able to say who reported, so the simplest
guarantee is that no code after this middleware can learn where a request came
from: the client address, user agent and every proxy header that may carry
them are removed before any view, log call or error report runs.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from meldpunt.privacy.logging import serving_request

# Headers (as WSGI environ keys) that identify or fingerprint a client.
IDENTIFYING_META_KEYS = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "REMOTE_PORT",
    "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_X_CLIENT_IP",
    "HTTP_X_CLUSTER_CLIENT_IP",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_MOBILE",
    "HTTP_SEC_CH_UA_PLATFORM",
)
# What the application sees instead; a documentation address, never routable.
ANONYMOUS_ADDRESS = "192.0.2.0"


def strip_client_details(environ: dict) -> None:
    """Remove everything that identifies the client from a WSGI environ or META dict."""
    for key in IDENTIFYING_META_KEYS:
        environ.pop(key, None)
    environ["REMOTE_ADDR"] = ANONYMOUS_ADDRESS


class ClientAnonymityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        strip_client_details(request.META)
        # Until the response is closed: Django logs 4xx answers after the
        # middleware returns (meldpunt.privacy.logging.ReporterActivityFilter).
        serving_request.set(request)
        return self.get_response(request)


# No script, style, image or form target outside our own origin; no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


class SecurityHeadersMiddleware:
    """Strict CSP, no referrer to other sites, no caching of pages that may show report content."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        # Forms still pass the CSRF check: see meldpunt.privacy.csrf.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Permissions-Policy", "interest-cohort=(), browsing-topics=()")
        if not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            response.headers.setdefault("Cache-Control", "no-store")
        if settings.MELDPUNT_ONION_LOCATION:
            response.headers["Onion-Location"] = (
                settings.MELDPUNT_ONION_LOCATION.rstrip("/") + request.get_full_path()
            )
        return response
