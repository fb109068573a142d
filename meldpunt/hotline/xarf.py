"""The machine-readable part of a notice: an X-ARF v4 report of the "content" category.

X-ARF v4 (https://xarf.org, schemas in github.com/xarf/xarf-spec) is one JSON
object: core fields (version, id, time, reporter, sender, source), a category
and a type with its own fields. Illegal content at an address is category
``content``, type ``csam``. Providers' abuse desks parse it to find the address
without reading the text. Nothing of the reporter is in it.
"""

import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

from meldpunt.hotline.conf import hotline_setting
from meldpunt.hotline.models import KnownStatus, ReportedUrl

XARF_VERSION = "4.2.0"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def xarf_report(
    *, item: ReportedUrl, address: str, report_id: uuid.UUID, verified_at: datetime | None
) -> dict:
    """The X-ARF v4 object of a notice about ``item`` (its plain ``address`` given)."""
    contact = {
        "org": hotline_setting("HOTLINE_XARF_ORGANISATION"),
        "contact": hotline_setting("HOTLINE_XARF_CONTACT"),
        "domain": hotline_setting("HOTLINE_XARF_DOMAIN"),
    }
    report = {
        "xarf_version": XARF_VERSION,
        "report_id": str(report_id),
        "timestamp": _utc(verified_at or item.created_at),
        "reporter": contact,
        "sender": contact,
        "source_identifier": urlsplit(address).hostname or address,
        "category": "content",
        "type": "csam",
        "url": address,
        "classification": hotline_setting("HOTLINE_XARF_CLASSIFICATION"),
        "detection_method": (
            "hash_match" if item.known_status == KnownStatus.KNOWN else "manual_review"
        ),
        "evidence_source": "user_report",
        "verification_method": "automated_crawler",
        "content_removed": False,
    }
    if verified_at is not None:
        report["verified_at"] = _utc(verified_at)
    if item.asn:
        report["asn"] = item.asn
    if item.country:
        report["country_code"] = item.country
    return report
