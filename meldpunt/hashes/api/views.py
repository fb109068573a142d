"""Views of the hash-check API: authenticate the client, read the batch, call the service.

The API is cookie-less (clients send a bearer token), needs no CSRF protection
and never sets a cookie. Nothing of a request is stored or logged except the
client's daily counter: not the hashes, not the client's references, not the
results (the privacy middleware has already removed the address).
"""

import gc
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import repeat
from typing import TYPE_CHECKING

import msgspec
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from meldpunt.apitokens import bearer_token
from meldpunt.hashes.checking import (
    BULK_ALGORITHMS,
    BULK_FORMATS,
    Batch,
    BatchMatches,
    CheckItem,
    ClientState,
    DigestsRefused,
    ItemProblem,
    LabelHits,
    LabelMatch,
    ParsedBatch,
    batch_decode,
    bulk_record_bytes,
    check_client_state,
    check_item_parse,
    check_items_parse,
    digests_parse,
    hashes_check,
    hashes_check_batch,
    hashes_check_hits,
)
from meldpunt.hashes.clients import (
    Quota,
    QuotaExceeded,
    TokenRefused,
    check_usage_charge,
    check_usage_refund,
    check_usage_today,
)
from meldpunt.hashes.conf import hashes_setting
from meldpunt.hashes.models import Algorithm, HashCheckClient
from meldpunt.hashes.shards import ShardsUnavailable
from meldpunt.jsonapi import (
    ANY_METHOD,
    ApiError,
    api_view,
    json_body,
    refuse_oversized,
)

from .errors import ErrorCode
from .openapi import openapi_document

if TYPE_CHECKING:
    import numpy

View = Callable[..., HttpResponse]
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="hash-check"'}
# JSON through msgspec: a body of the common shape is decoded straight into
# typed structs (checking.Batch) and the answer encoded from structs, both in
# compiled code (docs/benchmarks.md, "Hash-check API").
_encoder = msgspec.json.Encoder()


def _json_response(data: object) -> HttpResponse:
    return HttpResponse(_encoder.encode(data), content_type="application/json")


def _client(request: HttpRequest) -> ClientState:
    token = bearer_token(request)
    if token is None:
        raise ApiError(
            401,
            ErrorCode.TOKEN_MISSING,
            _("Send your hash-check token as “Authorization: Bearer …”."),
            headers=CHALLENGE,
        )
    try:
        return check_client_state(token)
    except TokenRefused as refused:
        if refused.revoked:
            raise ApiError(
                401,
                ErrorCode.TOKEN_REVOKED,
                _("Access for this client has been switched off. Contact the hotline."),
                headers=CHALLENGE,
            ) from refused
        raise ApiError(
            401,
            ErrorCode.TOKEN_INVALID,
            _("This token is not valid. Check it, or ask the hotline for a new one."),
            headers=CHALLENGE,
        ) from refused


def _read_items(request: HttpRequest) -> list:
    """The ``items`` of a JSON body ``{"items": [...]}``, or the reason it is refused.

    ``BatchItem``s where the body has the common shape, else plain JSON values.
    """
    limit = hashes_setting("HASHES_CHECK_MAX_BODY_BYTES")
    refuse_oversized(request, max_bytes=limit)
    if request.content_type != "application/json":
        raise ApiError(
            415,
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            _("Send the batch as application/json."),
        )
    payload = json_body(
        request,
        max_bytes=limit,
        decode=batch_decode,
        decode_errors=(msgspec.DecodeError, ValueError),
    )
    if isinstance(payload, Batch):
        items = payload.items
    elif (
        not isinstance(payload, dict)
        or set(payload) != {"items"}
        or not isinstance(payload["items"], list)
    ):
        raise ApiError(
            400,
            ErrorCode.MALFORMED_JSON,
            _("The body must be a JSON object with one key, “items”, holding an array."),
        )
    else:
        items = payload["items"]
    maximum = hashes_setting("HASHES_CHECK_MAX_ITEMS")
    if len(items) > maximum:
        raise ApiError(
            400,
            ErrorCode.TOO_MANY_ITEMS,
            _("At most %(max)d items per request; split the batch.") % {"max": maximum},
        )
    return items


def _charge(client: HashCheckClient, items: int) -> Quota:
    """Count ``items`` hashes against today's quota, or refuse the request with 429."""
    try:
        return check_usage_charge(client=client, items=items)
    except QuotaExceeded as exceeded:
        seconds = math.ceil((exceeded.resets_at - timezone.now()).total_seconds())
        raise ApiError(
            429,
            ErrorCode.QUOTA_EXCEEDED,
            _(
                "Today's quota is used up: %(remaining)d of %(limit)d hashes left, "
                "%(asked)d asked. It resets at midnight (%(zone)s)."
            )
            % {
                "remaining": exceeded.quota.remaining,
                "limit": exceeded.quota.limit,
                "asked": items,
                "zone": settings.TIME_ZONE,
            },
            headers={"Retry-After": str(max(seconds, 1))},
        ) from exceeded


@contextmanager
def _charged(client: HashCheckClient, items: int) -> Iterator[Quota]:
    """Charge ``items`` (429 past the quota), and take the charge back if the check fails.

    The quota is counted once, here at the front, before the (possibly
    fanned-out) search; a search that cannot be answered because a shard of
    the lists is down refunds it and answers 503 with Retry-After, so the
    client retries and is counted once (docs/hashes.md, "Errors and limits").
    """
    day = timezone.localdate()
    quota = _charge(client, items)
    try:
        yield quota
    except ShardsUnavailable as unavailable:
        check_usage_refund(client=client, items=items, day=day)
        seconds = hashes_setting("HASHES_SHARD_RETRY_AFTER")
        raise ApiError(
            503,
            ErrorCode.SHARDS_UNAVAILABLE,
            _(
                "Part of the hash lists cannot be searched right now; nothing was checked "
                "or counted. Try again in %(seconds)d seconds."
            )
            % {"seconds": seconds},
            headers={"Retry-After": str(seconds)},
        ) from unavailable


def _quota_json(quota: Quota) -> dict[str, int]:
    return {"limit": quota.limit, "used": quota.used, "remaining": quota.remaining}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while one batch is answered.

    A batch makes some thousands of short-lived objects (the decoded items,
    the answer); the collector, triggered by those allocations, walked the
    whole process's heap again and again, about a third of a batch's CPU
    time before the items were decoded into structs (docs/benchmarks.md,
    "Hash-check API"). None of them form cycles, so reference counting
    frees them all; the collector is switched back on at the end, also after
    an error. Another thread's request running meanwhile only goes without
    it for as long.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Match(msgspec.Struct, gc=False):
    label: str
    distance: int


class _Error(msgspec.Struct, gc=False):
    code: str
    message: str


class _Checked(msgspec.Struct, gc=False):
    index: int
    id: str | None
    matched: bool
    matches: list[_Match]


class _Refused(msgspec.Struct, gc=False):
    index: int
    id: str | None
    error: _Error


_NO_MATCHES: list[_Match] = []  # shared by every unmatched result; encoded, never changed


@api_view("POST")
def check(request: HttpRequest) -> HttpResponse:
    """Check a batch of hashes; bad items are answered one by one, the rest are checked."""
    with _collector_paused():
        return _check(request)


def _check(request: HttpRequest) -> HttpResponse:
    state = _client(request)
    batch = check_items_parse(_read_items(request))
    with _charged(state.client, batch.valid) as quota:
        found = hashes_check_batch(batch, labels=state.labels, revision=state.revision)
    return _json_response(
        {
            "results": _results(batch, found),
            "summary": {
                "checked": batch.valid,
                "matched": len(found.positions),
                "invalid": len(batch.problems),
            },
            "quota": _quota_json(quota),
        }
    )


def _results(batch: ParsedBatch, found: BatchMatches) -> list[_Checked | _Refused]:
    """One result per item, in order: unmatched ones made in one pass, then the others set."""
    references = batch.references
    results: list[_Checked | _Refused] = list(
        map(_Checked, range(batch.count), references, repeat(False), repeat(_NO_MATCHES))
    )
    for position, labels, distances in zip(
        found.positions, found.labels, found.distances, strict=True
    ):
        matches = [
            _Match(label, distance) for label, distance in zip(labels, distances, strict=True)
        ]
        results[position] = _Checked(position, references[position], True, matches)
    for position, problem in batch.problems.items():
        results[position] = _Refused(
            position, references[position], _Error(problem.code, problem.message)
        )
    return results


class _Found(msgspec.Struct, gc=False):
    index: int
    matches: list[_Match]


@api_view("POST")
def check_bulk(request: HttpRequest) -> HttpResponse:
    """Check many exact hashes of one algorithm sent as bare digests; answer only the matches.

    For scanners with millions of files: the body is the digests back to back
    (``application/octet-stream``) or their hex, one per line (``text/plain``),
    the algorithm a query parameter. The whole body is checked and decoded in
    a few calls (``checking.digests_parse``); any malformed hash refuses the
    request with 400, naming the first bad line. Counted against the quota,
    searched and answered as ``POST /check`` does the same items.
    """
    with _collector_paused():
        return _check_bulk(request)


def _check_bulk(request: HttpRequest) -> HttpResponse:
    state = _client(request)
    algorithm = _bulk_algorithm(request.GET.get("algorithm"))
    vectors = _read_digests(request, algorithm)
    import numpy

    count = len(vectors)
    batch = ParsedBatch(count, {algorithm: (numpy.arange(count), vectors)}, {}, [None] * count)
    with _charged(state.client, count) as quota:
        hits = hashes_check_hits(batch, labels=state.labels, revision=state.revision)
    matched = _found(hits)
    return _json_response(
        {
            "matched": matched,
            "summary": {"checked": count, "matched": len(matched)},
            "quota": _quota_json(quota),
        }
    )


def _found(hits: LabelHits) -> list[_Found]:
    """One ``_Found`` per matched hash, built by ``map`` over numpy columns, not per match.

    Exact hashes match at distance 0, so the hashes on one label share one
    list of matches; only a hash on several labels gets a list of its own.
    """
    import numpy

    items, starts = numpy.unique(hits.positions, return_index=True)
    counts = numpy.diff(numpy.append(starts, len(hits.positions)))
    one_label = [[_Match(name, 0)] for name in hits.names]
    matches = list(map(one_label.__getitem__, hits.label_numbers[starts].tolist()))
    for item in numpy.flatnonzero(counts > 1).tolist():
        numbers = hits.label_numbers[starts[item] : starts[item] + counts[item]].tolist()
        matches[item] = [_Match(hits.names[number], 0) for number in numbers]
    return list(map(_Found, items.tolist(), matches))


def _bulk_algorithm(name: str | None) -> Algorithm:
    algorithm = BULK_ALGORITHMS.get(name or "")
    if algorithm is None:
        raise ApiError(
            400,
            ErrorCode.UNKNOWN_ALGORITHM,
            _(
                "Name the algorithm as ?algorithm=, one of: %(algorithms)s. PDQ hashes "
                "(with their quality) go to POST /api/v1/hashes/check."
            )
            % {"algorithms": ", ".join(BULK_ALGORITHMS)},
        )
    return algorithm


def _read_digests(request: HttpRequest, algorithm: Algorithm) -> "numpy.ndarray":
    """The body's hashes; 415, 413 (past ``HASHES_CHECK_BULK_MAX_ITEMS``) or 400 otherwise.

    Read from the stream, not ``request.body``: a full body is larger than
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``, and the limit here is in hashes.
    """
    hex_lines = BULK_FORMATS.get(request.content_type)
    if hex_lines is None:
        raise ApiError(
            415,
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            _(
                "Send the hashes as application/octet-stream (the digests back to back) "
                "or text/plain (one hexadecimal hash per line)."
            ),
        )
    maximum = hashes_setting("HASHES_CHECK_BULK_MAX_ITEMS")
    limit = maximum * bulk_record_bytes(algorithm, hex_lines=hex_lines)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = b"" if length > limit else request.read(limit + 1)
    if length > limit or len(body) > limit:
        raise ApiError(
            413,
            ErrorCode.REQUEST_TOO_LARGE,
            _("At most %(max)d hashes per request; split the batch.") % {"max": maximum},
        )
    try:
        return digests_parse(body, algorithm, hex_lines=hex_lines)
    except DigestsRefused as refused:
        raise ApiError(400, ErrorCode(refused.code), refused.message) from refused


def _matches_json(matches: list[LabelMatch]) -> list[dict]:
    return [{"label": match.label, "distance": match.distance} for match in matches]


def _single_item(algorithm: str, value: str, quality: str | None) -> CheckItem:
    """The hash of a single check, validated as a batch item is; a problem is a 400.

    The quality comes as text from the query string: a whole number is passed
    on as one, anything else as the text, which the item check then refuses
    (so does a number of more than 10 digits, which ``int`` might refuse).
    """
    raw: dict[str, object] = {"algorithm": algorithm, "value": value}
    if quality is not None:
        is_number = quality.isascii() and quality.isdigit() and len(quality) <= 10
        raw["quality"] = int(quality) if is_number else quality
    item = check_item_parse(raw)
    if isinstance(item, ItemProblem):
        raise ApiError(400, ErrorCode(item.code), item.message)
    return item


@api_view("GET")
def check_one(request: HttpRequest, algorithm: str, value: str) -> HttpResponse:
    """Check one hash, for clients whose systems send one hash per request.

    The batch endpoint's authentication, validation, quota (one hash) and
    matching, answered as ``{"match": ..., "matches": [...], "quota": {...}}``.
    """
    state = _client(request)
    item = _single_item(algorithm, value, request.GET.get("quality"))
    with _charged(state.client, 1) as quota:
        [matches] = hashes_check([item], labels=state.labels, revision=state.revision)
    return _json_response(
        {"match": bool(matches), "matches": _matches_json(matches), "quota": _quota_json(quota)}
    )


@api_view("GET")
def account(request: HttpRequest) -> HttpResponse:
    """Who the token belongs to, the labels it can match and today's quota; costs nothing."""
    state = _client(request)
    return _json_response(
        {
            "client": state.client.name,
            "labels": sorted(set(state.labels.values())),
            "max_items": hashes_setting("HASHES_CHECK_MAX_ITEMS"),
            "max_bulk_items": hashes_setting("HASHES_CHECK_BULK_MAX_ITEMS"),
            "quota": _quota_json(check_usage_today(state.client)),
        }
    )


@api_view(*ANY_METHOD)
def no_such_endpoint(request: HttpRequest, path: str) -> HttpResponse:
    """Any other path under /api/v1/hashes/: a JSON 404, not the HTML page of the site."""
    raise ApiError(404, ErrorCode.NOT_FOUND, _("There is no such endpoint."))


@api_view("GET")
def openapi(request: HttpRequest) -> HttpResponse:
    return JsonResponse(openapi_document(), json_dumps_params={"indent": 2})
