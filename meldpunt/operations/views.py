"""Health endpoints for a load balancer or systemd watchdog.

They answer with a status word only: no version, path or count that tells an
outsider more about the installation than whether it is up.
"""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Ready to take reports: database and blob store usable; 503 otherwise."""
    checks = {"database": _database_ok(), "blob_store": blob_store_writable()}
    ready_ = all(checks.values())
    body = {"status": "ok" if ready_ else "unavailable"}
    body.update({name: "ok" if ok else "failing" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if ready_ else 503)
