"""The shards' side of a fanned-out check: search this process's part of the lists.

Mounted at /internal/hashes/ (not under the public API, not in its OpenAPI
document) and there only in a shard process with the shared token set
(MELDPUNT_HASH_SHARD and MELDPUNT_HASH_SHARD_TOKEN); anywhere else it is a
404. The front has already authenticated the client, validated the items and
charged the quota; a shard checks the front's token, that it is the shard the
front meant (a shard started with another "i/n" would answer from the wrong
part of the lists), and that every value is well-formed hex, then answers
with the triples of ``matching.hashes_search``. Nothing of a query is logged
or kept here either.
"""

import hmac

import msgspec
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from meldpunt.apitokens import bearer_token
from meldpunt.hashes.checking import ALGORITHMS, ANY_CASE_HEX, LENGTHS
from meldpunt.hashes.conf import hashes_setting
from meldpunt.hashes.matching import hashes_search
from meldpunt.hashes.shards import this_shard
from meldpunt.jsonapi import ApiError, api_view, refuse_oversized, too_large

from .errors import ErrorCode
from .views import _collector_paused

SHARD_MISMATCH = "shard_mismatch"
PDQ_BITS = 256


class _Search(msgspec.Struct, forbid_unknown_fields=True):
    shard: str
    lists: list[int]
    max_distance: int
    queries: dict[str, list[str]]


_decoder = msgspec.json.Decoder(_Search)
_encoder = msgspec.json.Encoder()


def _search_read(request: HttpRequest) -> _Search:
    limit = hashes_setting("HASHES_CHECK_MAX_BODY_BYTES")
    refuse_oversized(request, max_bytes=limit)
    try:
        body = request.body
    except RequestDataTooBig as error:
        raise too_large() from error
    if len(body) > limit:
        raise too_large()
    try:
        search = _decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ApiError(400, ErrorCode.MALFORMED_JSON, str(error)) from error
    if not 0 <= search.max_distance <= PDQ_BITS:
        raise ApiError(400, ErrorCode.MALFORMED_JSON, "max_distance out of range")
    for name, values in search.queries.items():
        length = LENGTHS.get(name)
        if length is None or not all(len(value) == length for value in values):
            raise ApiError(400, ErrorCode.MALFORMED_JSON, f"malformed {name} values")
        if not ANY_CASE_HEX.fullmatch("".join(values)):
            raise ApiError(400, ErrorCode.MALFORMED_JSON, f"{name} values not hex")
    return search


@api_view("POST")
def search(request: HttpRequest) -> HttpResponse:
    """Search this shard's part of the lists for the front's sub-batch."""
    shard = this_shard()
    secret = hashes_setting("HASHES_SHARD_TOKEN")
    if shard is None or not secret:
        raise ApiError(404, ErrorCode.NOT_FOUND, _("There is no such endpoint."))
    token = bearer_token(request) or ""
    if not hmac.compare_digest(token.encode(), secret.encode()):
        raise ApiError(401, ErrorCode.TOKEN_INVALID, "wrong shard token")
    with _collector_paused():
        asked = _search_read(request)
        if asked.shard != str(shard):
            raise ApiError(409, SHARD_MISMATCH, f"this process holds shard {shard}")
        # numpy comes with the first search, not with the web process (tests/test_startup.py).
        from meldpunt.hashes.indexes import hex_to_array

        found = hashes_search(
            {
                ALGORITHMS[name]: hex_to_array(values, LENGTHS[name] // 2)
                for name, values in asked.queries.items()
            },
            max_distance=asked.max_distance,
            lists=asked.lists,
        )
        answer = {
            algorithm.value: [array.tolist() for array in triples]
            for algorithm, triples in found.items()
        }
        return HttpResponse(
            _encoder.encode({"shard": str(shard), "found": answer}),
            content_type="application/json",
        )
