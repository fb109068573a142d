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
        assert response["Referrer-Policy"] == "no-referrer"
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
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Onion-Location"].startswith(ONION + "/static/")


def test_forms_post_from_a_real_page():
    """What a browser sends under no-referrer must pass the CSRF check; forgeries must not."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/mailbox/")
    token = page.context["csrf_token"]
    data = {"receipt": "AAAA BBBB CCCC DDDD EEEE", "csrfmiddlewaretoken": str(token)}

    # Under no-referrer a browser sends a null origin with fetch metadata.
    own_page = browser.post(
        "/mailbox/", data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert own_page.status_code == 400  # a wrong receipt, not a CSRF refusal
    # A null origin from a sandboxed frame or another site is still refused.
    for site in ("cross-site", "same-site", "none"):
        forged = browser.post("/mailbox/", data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE=site)
        assert forged.status_code == 403, site
    assert browser.post("/mailbox/", data, HTTP_ORIGIN="null").status_code == 403
    assert browser.post("/mailbox/", data, HTTP_ORIGIN="https://evil.example").status_code == 403
    # The token is still required.
    without_token = {"receipt": data["receipt"]}
    refused = browser.post(
        "/mailbox/", without_token, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert refused.status_code == 403
