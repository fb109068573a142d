"""Limits of the hotline's crawler, overridable in Django settings (docs/hotline.md)."""

from typing import Any

from django.conf import settings

DEFAULTS = {
    # One fetch: seconds to connect, seconds of silence while reading, and the
    # whole fetch including redirects (a server trickling bytes cannot hold a worker).
    "HOTLINE_FETCH_CONNECT_SECONDS": 10.0,
    "HOTLINE_FETCH_READ_SECONDS": 20.0,
    "HOTLINE_FETCH_TOTAL_SECONDS": 60.0,
    # Bytes of one response body; a larger body is cut off and not stored.
    "HOTLINE_FETCH_MAX_BYTES": 200 * 1024 * 1024,
    "HOTLINE_FETCH_MAX_REDIRECTS": 5,
    # A neutral agent: it names no organisation, so a site cannot single us out.
    "HOTLINE_FETCH_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) "
    "Gecko/20100101 Firefox/128.0",
    # Check TLS certificates; abuse sites with broken certificates are recorded as
    # a TLS error, which an analyst can look at by hand (docs/hotline.md).
    "HOTLINE_FETCH_VERIFY_TLS": True,
    # The pictures and videos of a reported HTML page (first check only): at most
    # this many items, each at most ITEM_MAX_BYTES, together at most MAX_BYTES and
    # TOTAL_SECONDS (fetching and cleaning), so a page with thousands of pictures
    # or one that never finishes cannot hold a worker. Only the first
    # PARSE_MAX_BYTES of the page are searched for them.
    "HOTLINE_PAGE_MEDIA_MAX_ITEMS": 50,
    "HOTLINE_PAGE_MEDIA_ITEM_MAX_BYTES": 64 * 1024 * 1024,
    "HOTLINE_PAGE_MEDIA_MAX_BYTES": 256 * 1024 * 1024,
    "HOTLINE_PAGE_MEDIA_TOTAL_SECONDS": 300.0,
    "HOTLINE_PAGE_PARSE_MAX_BYTES": 5 * 1024 * 1024,
    # Name servers the crawler asks ("192.0.2.53" or "192.0.2.53:5353"); empty: the
    # system's (/etc/resolv.conf).
    "HOTLINE_DNS_NAMESERVERS": [],
    "HOTLINE_DNS_TIMEOUT_SECONDS": 5.0,
    # Networks the crawler may connect to although they are not global (private,
    # loopback ...). Empty in production; the tests allow their own 127.0.0.1 only.
    "HOTLINE_FETCH_ALLOWED_NETWORKS": [],
    # The first look at a reported address waits a random time inside this window,
    # in minutes after the start of the hour the report arrived: a visit within
    # minutes of a report would tell the site's operator when someone reported.
    # [0, 0] checks at once.
    "HOTLINE_FIRST_CHECK_MINUTES": [60, 120],
    # Daily re-check of everything not yet gone; gone after this many offline checks
    # in a row (one failed look is not proof of removal).
    "HOTLINE_RECHECK_HOURS": 24,
    "HOTLINE_GONE_AFTER_OFFLINE_CHECKS": 2,
    # Material judged illegal and still online this many days later: the address
    # is flagged for escalation and a reminder goes to the provider (once).
    "HOTLINE_REMOVAL_REMINDER_DAYS": 3,
    # The sweep hands due addresses to batch tasks of this many; each batch checks
    # with this many threads at once (a check mostly waits for the network).
    "HOTLINE_RECHECK_BATCH": 200,
    "HOTLINE_RECHECK_CONCURRENCY": 16,
    # The provider monitor's public page (figures per hosting company and
    # country, no address and no content); off unless the operator opens it.
    "HOTLINE_PUBLIC_MONITOR": False,
    # The country this hotline works in, and countries with a partner (INHOPE)
    # hotline, as ISO 3166 alpha-2 codes: they decide the route of illegal material.
    "HOTLINE_HOME_COUNTRY": "NL",
    "HOTLINE_PARTNER_COUNTRIES": [],
    # The sender's name in signed address reports for partner hotlines (docs/hotline.md).
    "HOTLINE_EXCHANGE_SENDER_NAME": "Meldpunt",
    # Where a hosting provider's abuse address is looked up (RDAP, RFC 9083): the
    # base URL of a bootstrap service that answers /autnum/<asn> or redirects to the
    # registry that does; nothing is downloaded at run time. A look-up is kept for
    # CACHE_DAYS; one that failed is tried again with the notice's next attempt.
    "HOTLINE_RDAP_BASE_URL": "https://rdap.org/",
    "HOTLINE_RDAP_TIMEOUT_SECONDS": 15.0,
    "HOTLINE_RDAP_CACHE_DAYS": 30,
    # A notice, police report or forward that failed this many times is given up
    # (it stays visible on the address and in the operator's list).
    "HOTLINE_ACTION_MAX_ATTEMPTS": 10,
    # Who the X-ARF part of a notice names as reporter and sender (its contact
    # address is the one providers answer to).
    "HOTLINE_XARF_ORGANISATION": "Meldpunt",
    "HOTLINE_XARF_CONTACT": "meldpunt@example.org",
    "HOTLINE_XARF_DOMAIN": "example.org",
    # The X-ARF "csam" classification of notices (baseline, A1, A2, B1, B2): the
    # analyst's assessment says illegal, not which category, so one value for all.
    "HOTLINE_XARF_CLASSIFICATION": "baseline",
}


def hotline_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
