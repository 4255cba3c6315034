"""/health/ tells a load balancer whether the database answers and a worker is alive."""

import datetime

import pytest
from django.utils import timezone

from jobs import services
from jobs.models import Worker

pytestmark = pytest.mark.django_db


def test_health_needs_no_login_and_says_when_no_worker_runs(client):
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "worker": "not seen in the last minute",
        "worker_last_seen": None,
    }


def test_health_is_ok_while_a_worker_reports(client):
    services.worker_seen(worker_id="w1", hostname="till-server", pid=42)
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["worker"]) == ("ok", "ok", "ok")
    assert set(body) == {"status", "database", "worker", "worker_last_seen"}  # nothing else, no personal data
    Worker.objects.update(seen_at=timezone.now() - datetime.timedelta(minutes=2))
    assert client.get("/health/").status_code == 503
