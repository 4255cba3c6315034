"""The project's own pages: the health check that load balancers and container platforms poll."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from jobs import selectors


@never_cache
def health(request):
    """Whether the database answers and a worker has been seen in the last minute (no login, no personal data)."""
    database, last_seen = True, None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        last_seen = selectors.worker_last_seen()
    except DatabaseError:
        database = False
    worker = last_seen is not None and selectors.worker_alive(last_seen=last_seen)
    body = {
        "status": "ok" if database and worker else "degraded" if database else "down",
        "database": "ok" if database else "unavailable",
        "worker": "ok" if worker else "not seen in the last minute",
        "worker_last_seen": last_seen.isoformat() if last_seen else None,
    }
    return JsonResponse(body, status=200 if database and worker else 503)
