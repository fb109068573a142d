"""Health endpoints for a load balancer or systemd watchdog, and metrics for Prometheus.

The health endpoints answer with a status word only: no version, path or count
that tells an outsider more about the installation than whether it is up. The
metrics tell more, so they answer only the operator's token.
"""

import hmac
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from meldpunt.operations.metrics import metrics_text
from meldpunt.operations.selectors import task_oldest_waiting_since
from meldpunt.vault.blobs import blob_store_writable


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """The process answers; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _queue_ok() -> bool:
    """No due task has waited longer than HEALTH_QUEUE_MAX_AGE_MINUTES: the workers keep up."""
    now = timezone.now()
    try:
        since = task_oldest_waiting_since(now=now)
    except Exception:
        return False
    limit = timedelta(minutes=settings.HEALTH_QUEUE_MAX_AGE_MINUTES)
    return since is None or now - since <= limit


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Ready to take reports and to work them off: database, blob store, task queue; else 503."""
    checks = {
        "database": _database_ok(),
        "blob_store": blob_store_writable(),
        "queue": _queue_ok(),
    }
    ready_ = all(checks.values())
    body = {"status": "ok" if ready_ else "unavailable"}
    body.update({name: "ok" if ok else "failing" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if ready_ else 503)


def _bearer_token_matches(request: HttpRequest, expected: str) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    # compare_digest: the time taken tells nothing about how much of a guess was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), expected.encode()
    )


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics; not there (404) until the operator sets METRICS_TOKEN."""
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _bearer_token_matches(request, settings.METRICS_TOKEN):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
