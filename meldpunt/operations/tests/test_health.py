from datetime import timedelta
from pathlib import Path

import pytest
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


@task()
def health_probe_task() -> None:
    """Only enqueued, never run: a task the workers did not get to."""


@pytest.mark.django_db
def test_live_answers_ok(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_checks_database_blob_store_and_queue(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "blob_store": "ok",
        "queue": "ok",
    }


@pytest.mark.django_db
def test_ready_is_503_when_blob_store_is_not_writable(client, tmp_path, settings):
    # A file where the store's directory should be: fails even for root, unlike chmod.
    not_a_directory = tmp_path / "blobs"
    not_a_directory.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {**settings.STORAGES["blobs"], "OPTIONS": {"location": str(not_a_directory)}},
    }
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["blob_store"] == "failing"


@pytest.mark.django_db
def test_ready_leaves_nothing_in_the_blob_store(client, settings):
    location = Path(settings.STORAGES["blobs"]["OPTIONS"]["location"])
    before = {path for path in location.rglob("*") if path.is_file()}
    assert client.get("/health/ready").status_code == 200
    assert {path for path in location.rglob("*") if path.is_file()} == before


@pytest.mark.django_db
def test_ready_is_503_when_a_task_has_waited_too_long(client, settings):
    settings.TASKS = {"default": {"BACKEND": "meldpunt.privacy.tasktimes.HourlyDatabaseBackend"}}
    settings.HEALTH_QUEUE_MAX_AGE_MINUTES = 120
    result = health_probe_task.enqueue()
    # Waiting since this hour: within the limit.
    assert client.get("/health/ready").json()["queue"] == "ok"

    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(hours=3)
    )
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "blob_store": "ok",
        "queue": "failing",
    }

    # A task that waits for its run_after is not late until then.
    DBTaskResult.objects.filter(pk=result.id).update(run_after=timezone.now() + timedelta(hours=1))
    assert client.get("/health/ready").status_code == 200


def test_a_queue_limit_under_an_hour_is_refused_with_a_clear_message(settings):
    from meldpunt.operations.checks import health_queue_limit_check

    settings.HEALTH_QUEUE_MAX_AGE_MINUTES = 30
    (error,) = health_queue_limit_check()
    assert "MELDPUNT_HEALTH_QUEUE_MAX_AGE_MINUTES is 30" in error.msg
    assert "at least 60" in error.msg
    settings.HEALTH_QUEUE_MAX_AGE_MINUTES = 60
    assert health_queue_limit_check() == []
