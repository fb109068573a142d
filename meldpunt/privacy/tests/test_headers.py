"""Security headers on reporter pages, and the Onion-Location header for Tor Browser."""

import re

import pytest
from django.test import Client, override_settings

from meldpunt.testing import make_category

pytestmark = pytest.mark.django_db

ONION = "http://meldpuntexampleonionaddressxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"


@pytest.fixture
def pages() -> list[str]:
    category = make_category()
    line = category.line.slug
    return [
        "/",
        "/en/",
        "/safety/",
        "/mailbox/",
        f"/report/{line}/",
        f"/report/{line}/{category.slug}/",
    ]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_reporter_pages_send_strict_headers(client, pages):
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = csp_directives(response["Content-Security-Policy"])
        assert directives["default-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        allowed = {"'none'", "'self'", "data:"}
        for name, sources in directives.items():
            assert set(sources) <= allowed, f"{url}: {name} allows {sources}"
        # Not no-referrer: browsers then send "Origin: null" on form posts and
        # Django's CSRF check refuses every form (test_forms_post_from_a_real_page).
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert "Onion-Location" not in response


def test_reporter_pages_need_no_script_and_load_nothing_from_elsewhere(client, pages):
    """Tor Browser's "Safest" level disables JavaScript; nothing may depend on it."""
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script" not in html.lower(), url
        external = re.findall(r'(?:src|href|action)="((?:https?:)?//[^"]+)"', html)
        assert external == [], f"{url} refers to {external}"


@override_settings(MELDPUNT_ONION_LOCATION=ONION + "/")
def test_onion_location_points_to_the_same_page_on_the_onion_service(client):
    response = client.get("/en/safety/?from=clearnet")

    assert response["Onion-Location"] == f"{ONION}/en/safety/?from=clearnet"


@override_settings(MELDPUNT_ONION_LOCATION=ONION)
def test_static_files_may_be_cached_but_still_get_the_other_headers(client):
    response = client.get("/static/meldpunt/does-not-exist.css")

    assert "no-store" not in response.get("Cache-Control", "")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Onion-Location"].startswith(ONION + "/static/")


def test_forms_post_from_a_real_page():
    """What a browser sends under our referrer policy must pass Django's CSRF check."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/mailbox/")
    token = page.context["csrf_token"]
    data = {"receipt": "AAAA BBBB CCCC DDDD EEEE", "csrfmiddlewaretoken": str(token)}

    # same-origin: the browser names our own origin.
    same_origin = browser.post("/mailbox/", data, HTTP_ORIGIN="http://testserver")
    assert same_origin.status_code == 400  # a wrong receipt, not a CSRF refusal
    # Under no-referrer the browser would send "null", and every form would fail.
    assert browser.post("/mailbox/", data, HTTP_ORIGIN="null").status_code == 403
