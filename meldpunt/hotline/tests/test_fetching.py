"""The crawler against a real HTTP server and a real DNS server, both local."""

import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.fetching import url_fetch
from meldpunt.lines.webaddress import url_normalise


def fetch(url: str):
    return url_fetch(url_normalise(url))


def temp_files() -> set[Path]:
    return set(Path(django_settings.FILE_UPLOAD_TEMP_DIR).glob("hotline-fetch-*"))


@pytest.fixture
def site(fake_web, fake_dns, crawler_may_reach_fake_web):
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    fake_web.page("/image.jpg", fake_web.image, "image/png")  # the claimed type is wrong
    fake_web.page("/page.html", b"<!DOCTYPE html><html><body>hi</body></html>")
    return fake_web


def test_an_image_is_fetched_by_name_with_a_neutral_request(site):
    result = fetch(site.url("/image.jpg?x=1#frag", host="pics.example.test"))
    try:
        assert (result.outcome, result.error, result.status) == ("online", "", 200)
        assert result.media_type == "image/jpeg"  # sniffed, not the claimed image/png
        assert result.declared_type == "image/png"
        assert result.path.read_bytes() == site.image
        assert result.size == len(site.image)
        assert result.address == "127.0.0.1"
        assert result.final_url == f"http://pics.example.test:{site.port}/image.jpg?x=1"
        assert oct(result.path.stat().st_mode & 0o777) == "0o600"
    finally:
        result.discard()
    [request] = site.requests
    assert request["path"] == "/image.jpg?x=1"
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["host"] == f"pics.example.test:{site.port}"
    assert headers["accept-encoding"] == "identity"
    assert "cookie" not in headers and "referer" not in headers
    assert "meldpunt" not in headers["user-agent"].lower()
    assert "python" not in headers["user-agent"].lower()


def test_html_is_recognised_by_its_content(site):
    result = fetch(site.url("/page.html", host="pics.example.test"))
    assert result.media_type == "text/html"
    result.discard()
    assert temp_files() == set()


def test_redirects_are_followed_and_recorded(site):
    site.redirect("/short", "/hop")
    site.redirect("/hop", f"http://pics.example.test:{site.port}/image.jpg#x", status=301)
    result = fetch(site.url("/short", host="pics.example.test"))
    result.discard()
    assert result.outcome == "online"
    assert result.redirects == [
        f"http://pics.example.test:{site.port}/hop",
        f"http://pics.example.test:{site.port}/image.jpg",
    ]
    assert site.paths() == ["/short", "/hop", "/image.jpg"]


def test_redirects_are_limited(site, settings):
    settings.HOTLINE_FETCH_MAX_REDIRECTS = 3
    site.redirect("/loop", "/loop")
    result = fetch(site.url("/loop", host="pics.example.test"))
    assert (result.outcome, result.error) == ("error", "too_many_redirects")
    assert site.paths() == ["/loop"] * 4


def test_a_redirect_to_another_scheme_is_refused(site):
    site.redirect("/ftp", "ftp://pics.example.test/file")
    result = fetch(site.url("/ftp", host="pics.example.test"))
    assert (result.outcome, result.error) == ("error", "redirect_refused")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(404, "offline"), (410, "offline"), (451, "offline"), (500, "error"), (403, "error")],
)
def test_statuses_decide_the_outcome(site, status, outcome):
    site.page("/status", b"nope", "text/plain", status=status)
    result = fetch(site.url("/status", host="pics.example.test"))
    assert (result.outcome, result.status, result.path) == (outcome, status, None)


def test_a_name_that_does_not_exist_is_offline(site):
    result = fetch(site.url("/image.jpg", host="gone.example.test"))
    assert (result.outcome, result.error) == ("offline", "nxdomain")
    assert site.requests == []


def test_a_closed_port_is_offline(fake_dns, crawler_may_reach_fake_web, fake_web):
    fake_dns.zone["closed.example.test"] = ["127.0.0.1"]
    port = fake_web.port
    fake_web.server.shutdown()
    fake_web.server.server_close()
    result = fetch(f"http://closed.example.test:{port}/")
    assert (result.outcome, result.error) == ("offline", "connection_refused")


# --- server-side request forgery -------------------------------------------------


@pytest.mark.parametrize("inside", ["127.0.0.1", "10.0.0.7", "::1", "169.254.169.254"])
def test_names_pointing_inward_are_refused_with_the_production_setting(
    fake_web, fake_dns, settings, inside
):
    assert (
        settings.HOTLINE_FETCH_ALLOWED_NETWORKS == []
        if hasattr(settings, "HOTLINE_FETCH_ALLOWED_NETWORKS")
        else True
    )
    fake_web.page("/secret", b"internal")
    fake_dns.zone["inside.example.test"] = [inside]
    result = fetch(fake_web.url("/secret", host="inside.example.test"))
    assert (result.outcome, result.error) == ("error", "address_not_allowed")
    assert result.path is None
    assert fake_web.requests == []


def test_an_inward_ip_literal_is_refused_with_the_production_setting(fake_web):
    assert hotline_setting("HOTLINE_FETCH_ALLOWED_NETWORKS") == []
    fake_web.page("/secret", b"internal")
    for url in (fake_web.url("/secret"), f"http://0x7f.1:{fake_web.port}/secret"):
        result = fetch(url)
        assert (result.outcome, result.error) == ("error", "address_not_allowed")
    assert fake_web.requests == []


def test_a_name_with_one_inward_address_is_refused_as_a_whole(site, fake_dns):
    fake_dns.zone["mixed.example.test"] = ["127.0.0.1", "10.0.0.7"]
    result = fetch(site.url("/image.jpg", host="mixed.example.test"))
    assert result.error == "address_not_allowed"
    assert site.requests == []


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.7/admin",
        "http://[::1]:{port}/image.jpg",
        "http://127.0.0.2:{port}/image.jpg",
        "http://inside.example.test:{port}/image.jpg",
    ],
)
def test_a_redirect_inward_is_refused(site, fake_dns, location):
    fake_dns.zone["inside.example.test"] = ["10.0.0.7"]
    site.redirect("/out", location.format(port=site.port))
    result = fetch(site.url("/out", host="pics.example.test"))
    assert (result.outcome, result.error) == ("error", "address_not_allowed")
    assert site.paths() == ["/out"]


def test_rebinding_cannot_swap_the_address_after_the_check(site, fake_dns):
    """The first answer passes the check; every later one points inward.

    The crawler asks once and connects to the address it checked, so the
    fetch reaches the vetted server and no second look-up happens.
    """
    fake_dns.zone["rebind.example.test"] = lambda n: ["127.0.0.1"] if n == 1 else ["10.0.0.7"]
    result = fetch(site.url("/image.jpg", host="rebind.example.test"))
    result.discard()
    assert (result.outcome, result.address) == ("online", "127.0.0.1")
    assert fake_dns.queries.count(("rebind.example.test", "A")) == 1


def test_a_rebinding_name_is_refused_when_its_first_answer_points_inward(site, fake_dns):
    fake_dns.zone["rebind.example.test"] = lambda n: ["10.0.0.7"] if n == 1 else ["127.0.0.1"]
    result = fetch(site.url("/image.jpg", host="rebind.example.test"))
    assert result.error == "address_not_allowed"
    assert site.requests == []


# --- size and time ------------------------------------------------------------------


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_body_over_the_limit_is_cut_off_and_not_kept(site, settings, declare_length):
    settings.HOTLINE_FETCH_MAX_BYTES = 100_000
    site.huge("/huge", total_bytes=5_000_000, declare_length=declare_length)
    before = temp_files()
    result = fetch(site.url("/huge", host="pics.example.test"))
    assert (result.outcome, result.error, result.path) == ("online", "too_large", None)
    assert temp_files() == before


def test_a_trickling_server_cannot_hold_the_worker(site, settings):
    settings.HOTLINE_FETCH_TOTAL_SECONDS = 1.5
    settings.HOTLINE_FETCH_READ_SECONDS = 1.0
    site.trickle("/slow", seconds_per_byte=0.2, total_bytes=100)  # 20 s in all
    before = temp_files()
    started = time.monotonic()
    result = fetch(site.url("/slow", host="pics.example.test"))
    assert time.monotonic() - started < 3.0
    assert (result.outcome, result.error, result.path) == ("error", "timeout", None)
    assert temp_files() == before


def test_a_silent_server_times_out(site, settings):
    settings.HOTLINE_FETCH_READ_SECONDS = 0.5
    site.trickle("/stall", seconds_per_byte=3.0, total_bytes=2)
    started = time.monotonic()
    result = fetch(site.url("/stall", host="pics.example.test"))
    assert time.monotonic() - started < 2.5
    assert result.error == "timeout"


# --- TLS ---------------------------------------------------------------------------


def test_https_goes_to_the_vetted_address_with_the_host_name_for_tls(
    fake_tls_web, fake_dns, crawler_may_reach_fake_web, settings
):
    settings.HOTLINE_FETCH_VERIFY_TLS = False  # the test certificate is self-signed
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    fake_tls_web.page("/image.jpg", fake_tls_web.image, "image/jpeg")
    result = fetch(f"https://pics.example.test:{fake_tls_web.port}/image.jpg")
    result.discard()
    assert (result.outcome, result.status, result.address) == ("online", 200, "127.0.0.1")
    assert fake_tls_web.server_names == ["pics.example.test"]


def test_an_untrusted_certificate_is_a_tls_error_when_verifying(
    fake_tls_web, fake_dns, crawler_may_reach_fake_web
):
    assert hotline_setting("HOTLINE_FETCH_VERIFY_TLS") is True  # as in production
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    fake_tls_web.page("/image.jpg", fake_tls_web.image, "image/jpeg")
    result = fetch(f"https://pics.example.test:{fake_tls_web.port}/image.jpg")
    assert (result.outcome, result.error, result.path) == ("error", "tls_error", None)
    assert fake_tls_web.requests == []
