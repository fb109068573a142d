import pytest

from meldpunt.operations import views


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
def test_ready_is_503_when_blob_store_is_not_writable(client, tmp_path, monkeypatch):
    # A file where the directory should be: fails even for root, unlike chmod.
    not_a_directory = tmp_path / "blobs"
    not_a_directory.write_text("")
    monkeypatch.setattr(views, "data_dir", lambda: not_a_directory)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["blob_store"] == "failing"
