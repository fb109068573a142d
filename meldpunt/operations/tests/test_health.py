from pathlib import Path

import pytest


@pytest.mark.django_db
def test_live_answers_ok(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_checks_database_and_blob_store(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "blob_store": "ok"}


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
