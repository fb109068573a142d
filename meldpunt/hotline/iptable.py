"""IP address to network (ASN), country and organisation, from a table the operator imports.

Nothing is downloaded at run time: the operator fetches a table and imports it
with ``meldpunt hotline import-ip-table FILE`` (docs/hotline.md). The format is
iptoasn.com's ip2asn TSV (``ip2asn-combined.tsv``, also as ``.gz``), one range
per line, tab-separated::

    range_start  range_end  AS_number  country_code  AS_description
    1.0.0.0      1.0.0.255  13335      US            CLOUDFLARENET

Ranges with AS number 0 ("Not routed") are skipped: an address in them has no
network to trace. An import replaces the whole table in one transaction, so
look-ups see the old table or the new one, never half of one.
"""

import gzip
import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from meldpunt.hotline.models import IpRange, IpTableImport

_BATCH = 5_000


class IpTableInvalid(ValueError):
    """A line of the file is not a range; nothing was imported."""


@dataclass(frozen=True)
class Network:
    asn: int
    country: str
    organisation: str


def address_key(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """32 hex digits of the address as IPv6 (IPv4 mapped), so string order is numeric order."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv4Address):
        ip = ipaddress.IPv6Address(f"::ffff:{ip}")
    return f"{int(ip):032x}"


def _open_text(path: Path):
    with path.open("rb") as probe:
        is_gzip = probe.read(2) == b"\x1f\x8b"
    if is_gzip:
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
    return path.open("r", encoding="utf-8", errors="replace", newline="")


def _parse(lines: Iterator[str]) -> Iterator[IpRange]:
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 4:
            raise IpTableInvalid(f"line {number}: expected 5 tab-separated fields")
        try:
            first, last = ipaddress.ip_address(fields[0]), ipaddress.ip_address(fields[1])
            asn = int(fields[2])
        except ValueError as error:
            raise IpTableInvalid(f"line {number}: {error}") from None
        if first.version != last.version or first > last or asn < 0:
            raise IpTableInvalid(f"line {number}: not a range")
        country = fields[3].strip().upper()
        if asn == 0:
            continue
        yield IpRange(
            start=address_key(first),
            end=address_key(last),
            asn=asn,
            country=country if len(country) == 2 and country.isalpha() else "",
            organisation=(fields[4] if len(fields) > 4 else "").strip()[:200],
        )


def ip_table_import(*, path: Path, progress: Callable[[int], None] | None = None) -> int:
    """Replace the IP table with the ranges of an ip2asn file; returns the number stored.

    Raises IpTableInvalid (and changes nothing) when a line cannot be read.
    """
    count = 0
    with _open_text(path) as lines, transaction.atomic():
        IpRange.objects.all().delete()
        batch: list[IpRange] = []
        for ip_range in _parse(lines):
            batch.append(ip_range)
            if len(batch) == _BATCH:
                IpRange.objects.bulk_create(batch)
                count += len(batch)
                batch = []
                if progress:
                    progress(count)
        IpRange.objects.bulk_create(batch)
        count += len(batch)
        IpTableImport.objects.create(
            source=path.name[:200], imported_at=timezone.now(), ranges=count
        )
    return count


def ip_network(address: str) -> Network | None:
    """The network of an address in the imported table, or None when it is not in it."""
    key = address_key(address)
    found = IpRange.objects.filter(start__lte=key).order_by("-start").first()
    if found is None or found.end < key:
        return None
    return Network(asn=found.asn, country=found.country, organisation=found.organisation)
