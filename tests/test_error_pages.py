"""Error pages speak the visitor's language, in the site's frame; APIs answer in JSON."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from meldpunt import urls as project_urls


def _boom(request):
    raise RuntimeError("a bug")


def _database_gone(request):
    """A real connection attempt to a PostgreSQL server that is not there (restarting)."""
    from django.db import connection
    from django.db.backends.postgresql.base import DatabaseWrapper

    from tests.conftest import free_port

    gone = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": free_port(), "OPTIONS": {}}
    DatabaseWrapper(
        {**gone, "NAME": "gone", "ENGINE": "django.db.backends.postgresql"}
    ).ensure_connection()


urlpatterns = [
    path("gone/", _database_gone),
    path("api/v1/gone/", _database_gone),  # before the API's own catch-all
    *project_urls.urlpatterns,
    path("staff/boom/", _boom),
    path("boom/", _boom),
]
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@pytest.mark.django_db
def test_reporter_404_is_dutch_at_the_root_and_english_under_en(client):
    dutch = client.get("/bestaat-niet/")
    assert dutch.status_code == 404
    assert "Pagina niet gevonden" in dutch.content.decode()
    assert 'href="/static/meldpunt/site.css"' in dutch.content.decode()
    # The reporter frame: a way back to the mailbox, not the staff header.
    assert "/mailbox/" in dutch.content.decode()
    english = client.get("/en/does-not-exist/")
    assert english.status_code == 404
    assert "Page not found" in english.content.decode()


@pytest.mark.django_db
def test_staff_404_follows_the_browser_language_in_the_staff_frame(client):
    response = client.get("/staff/does-not-exist/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "Reporting point – staff" in body
    dutch = client.get("/staff/does-not-exist/")
    assert "Pagina niet gevonden" in dutch.content.decode()


@pytest.mark.django_db
def test_api_404_is_the_documented_json_error(client):
    response = client.get("/api/v2/does-not-exist", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Page not found"}}


@pytest.mark.django_db
def test_csrf_failure_is_a_translated_page_not_djangos(settings):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/mailbox/", {"receipt": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "CSRF" not in body
    assert "U kunt deze pagina niet openen" in body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_is_translated_and_never_shows_the_error():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Er ging bij ons iets mis" in body
    assert "a bug" not in body and "RuntimeError" not in body
    staff = client.get("/staff/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Something went wrong on our side" in staff.content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_database_out_of_reach_is_a_503_to_retry_not_a_server_error():
    client = Client(raise_request_exception=False)
    page = client.get("/gone/")
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert "Tijdelijk niet beschikbaar" in page.content.decode()
    api = client.get("/api/v1/gone/")
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert api.json()["error"]["code"] == "unavailable"
