"""A logging filter that removes client details from every log record.

The anonymity middleware already strips them from requests, but Django attaches
the request object to some records (``django.request``, ``django.server``), and
third-party code may format a WSGI environ into a message. This filter is the
second line: it removes the request from records and masks anything shaped like
an IP address.
"""

import ipaddress
import logging
import re

# Candidate tokens: runs of hex digits, dots and colons (with an optional zone).
# Each is checked by the ipaddress module, so times like 15:05:37 stay readable.
ADDRESS_CANDIDATE = re.compile(r"[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*(?:%[0-9A-Za-z]+)?")
MASK = "[address removed]"


def _is_address(token: str) -> bool:
    bare = token.split("%")[0].strip(".")
    candidates = {bare, bare.strip(":")}
    if bare.count(":") == 1:  # host:port
        candidates.add(bare.split(":")[0])
    for candidate in candidates:
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            continue
        return True
    return False


def mask_addresses(text: str) -> str:
    """Replace every IPv4 or IPv6 address in text."""
    return ADDRESS_CANDIDATE.sub(
        lambda match: MASK if _is_address(match.group()) else match.group(), text
    )


class ClientDetailsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for attribute in ("request", "server_time_request"):
            if hasattr(record, attribute):
                setattr(record, attribute, None)
        message = record.getMessage()
        record.msg = mask_addresses(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_addresses(record.exc_text)
        # Without exc_info, error reports (the admin e-mail, Sentry-like handlers)
        # cannot walk the frames, whose local variables may hold report content.
        record.exc_info = None
        return True
