import pytest
from django.utils import translation

from meldpunt.lines.webaddress import UrlRefused, url_join, url_normalise


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("  www.Example.COM/pics/1.jpg  ", "http://www.example.com/pics/1.jpg"),
        ("HTTP://EXAMPLE.com:80/x", "http://example.com/x"),
        ("https://example.com:443/", "https://example.com/"),
        ("https://example.com:8443/", "https://example.com:8443/"),
        ("http://example.com/x#comments", "http://example.com/x"),
        ("http://user:secret@example.com/", "http://example.com/"),
        ("http://bücher.example/", "http://xn--bcher-kva.example/"),
        ("http://example.com./", "http://example.com/"),
        ("http://exa\nmple.com/p", "http://example.com/p"),  # wrapped by a mail program
        ("http://example.com/a b", "http://example.com/a%20b"),
        ("htp://example.com/", "http://example.com/"),
        ("http:/example.com/", "http://example.com/"),
        ("https//example.com/", "https://example.com/"),
        ("hxxps://example.com/", "https://example.com/"),
        ("//example.com/x", "http://example.com/x"),
        ("example.com:8080/x", "http://example.com:8080/x"),
        ("http://0x7f.1/", "http://127.0.0.1/"),  # as a browser reads it
        ("http://[2001:DB8::1]:80/", "http://[2001:db8::1]/"),
    ],
)
def test_addresses_are_normalised_as_a_browser_reads_them(reported, expected):
    assert url_normalise(reported).url == expected


def test_the_parts_the_crawler_needs():
    address = url_normalise("https://Bücher.example:8443/a")
    assert (address.scheme, address.host, address.port) == ("https", "xn--bcher-kva.example", 8443)
    assert not address.host_is_ip
    address = url_normalise("http://[::1]/")
    assert (address.host, address.port, address.host_is_ip) == ("::1", 80, True)


@pytest.mark.parametrize(
    ("reported", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("ftp://example.com/file", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("mailto:someone@example.com", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("http://", "invalid"),
        ("http://exa mple.com/", "invalid"),
        ("http://1.2.3.999/", "invalid"),
        ("http://localhost/", "host"),
        ("http://intranet/", "host"),
        ("http://a..b/", "host"),
        ("http://-bad-.example/", "host"),
        ("http://example.com/" + "a" * 5000, "too_long"),
    ],
)
def test_broken_addresses_are_refused_with_a_code(reported, code):
    with pytest.raises(UrlRefused) as refused:
        url_normalise(reported)
    assert refused.value.code == code


def test_the_refusal_speaks_the_reporters_language():
    with translation.override("en"):
        with pytest.raises(UrlRefused) as refused:
            url_normalise("ftp://example.com/")
    assert "http://" in refused.value.message
    assert str(refused.value) == refused.value.message


def test_redirect_locations_are_joined_and_checked():
    assert url_join("http://example.com/a/b", "../c#x").url == "http://example.com/c"
    assert url_join("https://example.com/a", "//other.example/p").url == "https://other.example/p"
    for location in ("ftp://example.com/", "javascript:void(0)", "file:///etc/passwd"):
        with pytest.raises(UrlRefused):
            url_join("http://example.com/", location)
