"""Matching thresholds, overridable in Django settings (docs/hashes.md)."""

from typing import Any

from django.conf import settings

DEFAULTS = {
    # Largest Hamming distance (of 256 bits) at which two PDQ hashes are the same
    # picture: 31 is the threshold of Meta's reference implementation and HMA.
    "HASHES_PDQ_MAX_DISTANCE": 31,
    # PDQ's quality (0-100) says how much structure a picture has; hashing.pdf
    # advises ignoring hashes under 50 (flat or nearly blank pictures collide).
    "HASHES_PDQ_MIN_QUALITY": 50,
    # A video matches a list when at least this share of its distinct, good-quality
    # vPDQ frame hashes is within HASHES_PDQ_MAX_DISTANCE of a hash on the list
    # (ThreatExchange's VPDQ_QUERY_MATCH_THRESHOLD_PERCENT).
    "HASHES_VPDQ_QUERY_MATCH_PERCENT": 80.0,
    # Hash-check API: most items in one request, and the largest body accepted
    # (1,000 items of a 64-digit hash and a 200-character reference fit easily).
    "HASHES_CHECK_MAX_ITEMS": 1000,
    "HASHES_CHECK_MAX_BODY_BYTES": 1024 * 1024,
    # The bulk check (POST /check/bulk, bare digests): most hashes in one request;
    # its body limit follows (3.2 MB of SHA-256 digests, 6.5 MB as hex lines).
    "HASHES_CHECK_BULK_MAX_ITEMS": 100_000,
    # Shards (meldpunt.hashes.shards; settings.py reads them from MELDPUNT_HASH_SHARD*):
    # this process's shard "i/n" ("" holds everything), the shards' internal base
    # addresses for a front (none: check in this process), the token shards and
    # front share, the seconds a front waits for a shard, and the Retry-After sent
    # with a 503 when a shard did not answer.
    "HASHES_SHARD": "",
    "HASHES_SHARD_SERVERS": [],
    "HASHES_SHARD_TOKEN": "",
    "HASHES_SHARD_TIMEOUT": 10.0,
    "HASHES_SHARD_RETRY_AFTER": 30,
}


def hashes_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
