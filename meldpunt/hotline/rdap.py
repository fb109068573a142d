"""Where a hosting provider takes abuse notices: its network's RDAP record (RFC 9083).

RDAP answers ``/autnum/<asn>`` with JSON whose ``entities`` (nested, too) carry
roles and a jCard (``vcardArray``); the entity with the role ``abuse`` and an
``email`` property is the abuse desk. The look-up goes through the crawler's
hardened fetcher (timeouts, size limit, no private addresses), to the bootstrap
service named by HOTLINE_RDAP_BASE_URL, and is cached on the ``HostingProvider``.
"""

import json
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.fetching import FetchError, url_fetch
from meldpunt.hotline.models import HostingProvider
from meldpunt.lines.webaddress import UrlRefused, url_normalise

MAX_RDAP_BYTES = 1024 * 1024
# Nested entities deeper than this are not followed (a hostile answer cannot loop us).
MAX_ENTITY_DEPTH = 4


class RdapError(Exception):
    """The abuse address could not be found; the message is for staff."""


def _abuse_emails(entities: list, depth: int = 0) -> list[str]:
    found = []
    for entity in entities if isinstance(entities, list) else []:
        if not isinstance(entity, dict):
            continue
        roles = entity.get("roles") or []
        if "abuse" in roles:
            vcard = entity.get("vcardArray")
            properties = vcard[1] if isinstance(vcard, list) and len(vcard) > 1 else []
            for prop in properties if isinstance(properties, list) else []:
                if isinstance(prop, list) and len(prop) >= 4 and prop[0] == "email":
                    found.append(str(prop[3]).strip())
        if depth < MAX_ENTITY_DEPTH:
            found.extend(_abuse_emails(entity.get("entities") or [], depth + 1))
    return found


def rdap_abuse_email(asn: int) -> str:
    """The abuse address of network ``asn``; raises RdapError saying why there is none."""
    base = hotline_setting("HOTLINE_RDAP_BASE_URL").rstrip("/")
    try:
        address = url_normalise(f"{base}/autnum/{int(asn)}")
    except UrlRefused as refused:
        raise RdapError(_("HOTLINE_RDAP_BASE_URL is not a usable address.")) from refused
    result = url_fetch(
        address,
        max_bytes=MAX_RDAP_BYTES,
        total_seconds=hotline_setting("HOTLINE_RDAP_TIMEOUT_SECONDS"),
    )
    try:
        if result.error == FetchError.TIMEOUT:
            raise RdapError(_("The RDAP server did not answer in time."))
        if result.path is None or result.status != 200:
            raise RdapError(
                _("The RDAP server could not be asked (%(problem)s).")
                % {"problem": result.error or f"HTTP {result.status}"}
            )
        try:
            answer = json.loads(result.path.read_bytes())
        except ValueError as error:
            raise RdapError(_("The RDAP server's answer is not JSON.")) from error
    finally:
        result.discard()
    for email in _abuse_emails(answer.get("entities") if isinstance(answer, dict) else []):
        try:
            validate_email(email)
        except ValidationError:
            continue
        return email
    raise RdapError(_("The network's RDAP record names no abuse contact with an e-mail address."))


def provider_abuse_email(provider: HostingProvider, *, now: datetime | None = None) -> str:
    """The provider's abuse address: the operator's, the cached one, or a fresh look-up.

    A look-up is stored with its time (and its problem, if any); the cached
    address is used for HOTLINE_RDAP_CACHE_DAYS, and after that still when a new
    look-up fails (an old desk beats none). Raises RdapError when there is no
    address at all; the problem then stays on the provider for the operator.
    """
    if provider.override_email:
        return provider.override_email
    now = now or timezone.now()
    fresh_until = timedelta(days=hotline_setting("HOTLINE_RDAP_CACHE_DAYS"))
    if (
        provider.rdap_email
        and provider.rdap_checked_at
        and now - provider.rdap_checked_at < fresh_until
    ):
        return provider.rdap_email
    try:
        email = rdap_abuse_email(provider.asn)
    except RdapError as error:
        provider.rdap_error = str(error)[:200]
        provider.rdap_checked_at = now
        provider.save(update_fields=["rdap_error", "rdap_checked_at"])
        if provider.rdap_email:
            return provider.rdap_email
        raise
    provider.rdap_email, provider.rdap_error, provider.rdap_checked_at = email, "", now
    provider.save(update_fields=["rdap_email", "rdap_error", "rdap_checked_at"])
    return email
