"""A logging filter that removes client details from every log record.

The anonymity middleware already strips them from requests, but Django attaches
the request object to some records (``django.request``, ``django.server``), and
third-party code may format a WSGI environ into a message. This filter is the
second line: it removes the request from records and masks anything shaped like
an IP address.
"""

import logging
import re

IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
IPV6 = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{0,4}\b")
MASK = "[address removed]"


def mask_addresses(text: str) -> str:
    return IPV6.sub(MASK, IPV4.sub(MASK, text))


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
        return True
