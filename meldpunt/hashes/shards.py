"""The hash-check index split over processes by the leading hex digits of the values.

One process holds every known hash in memory until the lists outgrow one
machine (about 100 bytes per PDQ hash and 51 per exact one, docs/benchmarks.md).
Past that, each of ``n`` shard processes holds the rows whose first four hex
digits fall in its part of 0000-ffff (``MELDPUNT_HASH_SHARD="i/n"``), and a
front process (``MELDPUNT_HASH_SHARD_SERVERS``, the shards' internal base
addresses in shard order) authenticates the client, charges the quota once,
and fans each batch out:

- an exact hash (SHA-256, SHA-1, MD5) can only be on the shard of its
  prefix, so it goes to that shard alone;
- a PDQ hash goes to every shard: a stored hash within distance 31 may
  differ from the query in its first bits, so it can be on any shard. Each
  shard searches its part of the store, and the PDQ work of a batch is done
  ``n`` times over smaller indexes (docs/benchmarks.md, "Hash-check API over
  shards").

The sub-batches go out at once, each on a thread of a pool shared by the
process (standard ``urllib``; the project has no other HTTP client), and the
answers come back as (query number, list id, distance) triples that the front
maps to the items' positions and merges exactly as a single process does
(``checking.hashes_check_batch``). A shard that does not answer, answers with
an error, or answers for another shard than asked makes the whole check fail
(``ShardsUnavailable``, a 503 for the client): an answer without a part of the
store is never passed off as complete.

This module knows nothing of the views: the shards' side of the exchange is
``api/shard_views.py``.
"""

import concurrent.futures
import http.client
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import msgspec
from django.core.exceptions import ImproperlyConfigured

from meldpunt.hashes.conf import hashes_setting
from meldpunt.hashes.models import Algorithm

# Shards split the space of the first four hex digits (65,536 prefixes).
PREFIX_DIGITS = 4
PREFIXES = 16**PREFIX_DIGITS
SEARCH_PATH = "/internal/hashes/search"
MAX_ANSWER_BYTES = 64 * 1024 * 1024  # an answer lists matches only; this is far above any

# (query numbers, list ids, distances): one algorithm's matches, query numbers
# counting the values sent for that algorithm from 0.
Found = tuple[list[int], list[int], list[int]]


@dataclass(frozen=True)
class Shard:
    """Shard ``number`` of ``count``: the values whose first four hex digits ``shard_of`` it."""

    number: int
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        """``"i/n"`` as an operator writes it (``0/2``, ``1/2``); ValueError if it is not one."""
        number, slash, count = text.strip().partition("/")
        if not (slash and number.isdigit() and count.isdigit()):
            raise ValueError(f"a shard is written i/n, e.g. 0/2, not {text!r}")
        shard = cls(int(number), int(count))
        if not 0 <= shard.number < shard.count <= PREFIXES:
            raise ValueError(f"a shard i/n needs 0 <= i < n <= {PREFIXES}, not {text!r}")
        return shard

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"

    @property
    def value_range(self) -> tuple[str, str | None]:
        """The lowest value held and the first one past the shard (None for the last shard)."""
        high = None if self.number == self.count - 1 else _boundary(self.number + 1, self.count)
        return _boundary(self.number, self.count), high

    def holds(self, value: str) -> bool:
        return shard_of(value, self.count) == self.number


def _boundary(number: int, count: int) -> str:
    """The first prefix of shard ``number``: ceil(number * 65536 / count), as four hex digits.

    Rounding up makes the ranges agree with ``shard_of``'s rounding down:
    prefix p is at or past boundary i exactly when p * count // 65536 >= i.
    """
    return f"{-(-number * PREFIXES // count):04x}"


def shard_of(value: str, count: int) -> int:
    """The shard (of ``count``) that holds a hex value; upper or lower case alike."""
    return int(value[:PREFIX_DIGITS], 16) * count // PREFIXES


def this_shard() -> Shard | None:
    """The shard this process holds (MELDPUNT_HASH_SHARD), or None when it holds everything."""
    text = hashes_setting("HASHES_SHARD")
    if not text:
        return None
    try:
        return Shard.parse(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"MELDPUNT_HASH_SHARD: {error}") from error


def shard_servers() -> list[str]:
    """The shards' internal base addresses in shard order (MELDPUNT_HASH_SHARD_SERVERS)."""
    servers = list(hashes_setting("HASHES_SHARD_SERVERS"))
    for server in servers:
        if urlsplit(server).scheme not in {"http", "https"}:
            raise ImproperlyConfigured(
                f"MELDPUNT_HASH_SHARD_SERVERS: {server!r} is not an http(s) address"
            )
    if servers and not hashes_setting("HASHES_SHARD_TOKEN"):
        raise ImproperlyConfigured("MELDPUNT_HASH_SHARD_SERVERS needs MELDPUNT_HASH_SHARD_TOKEN")
    return servers


def shards_configuration_check() -> None:
    """Raises ImproperlyConfigured for shard settings that could not work.

    Run when a process starts (meldpunt.processes), so that a front without its
    token stops with the reason instead of failing its first request.
    """
    this_shard()
    shard_servers()


class ShardsUnavailable(Exception):
    """A shard did not answer, or not usably: the check as a whole cannot be answered."""

    def __init__(self, shard: Shard | None, reason: str) -> None:
        super().__init__(f"shard {shard}: {reason}" if shard else reason)
        self.shard = shard


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A shard answers itself; a redirect means a wrong address, not a place to follow."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# No proxy from the environment: shards are internal addresses.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())
_encoder = msgspec.json.Encoder()


class _Answer(msgspec.Struct, forbid_unknown_fields=True):
    shard: str
    found: dict[str, tuple[list[int], list[int], list[int]]]


_decoder = msgspec.json.Decoder(_Answer)
_pool_lock = threading.Lock()
_pool: concurrent.futures.ThreadPoolExecutor | None = None


def _thread_pool() -> concurrent.futures.ThreadPoolExecutor:
    """One pool per process for every request's sub-batches, made on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = concurrent.futures.ThreadPoolExecutor(32, thread_name_prefix="hash-shard")
        return _pool


def _ask(
    server: str,
    shard: Shard,
    queries: Mapping[Algorithm, list[str]],
    *,
    lists: list[int],
    max_distance: int,
) -> dict[Algorithm, Found]:
    """One shard's matches for its sub-batch, checked for shape; ShardsUnavailable if none."""
    body = _encoder.encode(
        {
            "shard": str(shard),
            "lists": lists,
            "max_distance": max_distance,
            "queries": {algorithm.value: values for algorithm, values in queries.items()},
        }
    )
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked in shard_servers
        server.rstrip("/") + SEARCH_PATH,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {hashes_setting('HASHES_SHARD_TOKEN')}",
        },
    )
    try:
        with _opener.open(request, timeout=hashes_setting("HASHES_SHARD_TIMEOUT")) as response:
            answer = _decoder.decode(response.read(MAX_ANSWER_BYTES + 1))
    except urllib.error.HTTPError as error:
        raise ShardsUnavailable(shard, f"answered {error.code}") from error
    except (OSError, http.client.HTTPException, msgspec.DecodeError, ValueError) as error:
        raise ShardsUnavailable(shard, f"no usable answer ({type(error).__name__})") from error
    if answer.shard != str(shard):
        raise ShardsUnavailable(shard, f"the server holds shard {answer.shard}")
    found: dict[Algorithm, Found] = {}
    for name, (numbers, list_ids, distances) in answer.found.items():
        algorithm = next((a for a in queries if a.value == name), None)
        if algorithm is None or not len(numbers) == len(list_ids) == len(distances):
            raise ShardsUnavailable(shard, "an answer of the wrong shape")
        if numbers and not 0 <= min(numbers) <= max(numbers) < len(queries[algorithm]):
            raise ShardsUnavailable(shard, "an answer for queries not sent")
        found[algorithm] = (numbers, list_ids, distances)
    return found


def hashes_search_sharded(
    values: Mapping[Algorithm, Sequence[str]], *, lists: list[int], max_distance: int
) -> dict[Algorithm, Found]:
    """``matching.hashes_search`` over the shards: the same triples, from every shard's part.

    Exact values go to the shard of their prefix, PDQ values to every shard;
    a shard with nothing to check is not asked. Query numbers in the result
    count ``values[algorithm]`` from 0, as for a search in one process.
    Raises ShardsUnavailable when any shard asked fails to answer.
    """
    servers = shard_servers()
    count = len(servers)
    sent: list[dict[Algorithm, list[str]]] = [{} for _ in servers]
    numbers: list[dict[Algorithm, list[int]]] = [{} for _ in servers]
    for algorithm, batch in values.items():
        if not batch:
            continue
        if algorithm == Algorithm.PDQ:
            for shard in range(count):
                sent[shard][algorithm] = list(batch)
                numbers[shard][algorithm] = list(range(len(batch)))
            continue
        for number, value in enumerate(batch):
            shard = shard_of(value, count)
            sent[shard].setdefault(algorithm, []).append(value)
            numbers[shard].setdefault(algorithm, []).append(number)
    pool = _thread_pool()
    asked = {
        shard: pool.submit(
            _ask,
            servers[shard],
            Shard(shard, count),
            sent[shard],
            lists=lists,
            max_distance=max_distance,
        )
        for shard in range(count)
        if sent[shard]
    }
    merged: dict[Algorithm, Found] = {algorithm: ([], [], []) for algorithm in values}
    wait = hashes_setting("HASHES_SHARD_TIMEOUT") + 1
    for shard, future in asked.items():
        try:
            answer = future.result(timeout=wait)
        except concurrent.futures.TimeoutError as error:
            raise ShardsUnavailable(Shard(shard, count), "no answer in time") from error
        for algorithm, (queries, list_ids, distances) in answer.items():
            original = numbers[shard][algorithm]
            into = merged[algorithm]
            into[0].extend(original[query] for query in queries)
            into[1].extend(list_ids)
            into[2].extend(distances)
    return merged
