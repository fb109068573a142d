"""The OpenAPI 3.1 document of the hash-check API, served at /api/v1/hashes/openapi.json.

Written out by hand like the reporter API's (the views are plain Django views)
and kept honest the same way: tests validate the document, check that every
route is in it with the methods its view accepts, and validate every response
they receive against it. Error and item codes come from the code itself.
"""

import copy
from typing import Any

from meldpunt.hashes.checking import MAX_REFERENCE_LENGTH, ItemCode
from meldpunt.hashes.conf import hashes_setting
from meldpunt.hashes.models import Algorithm
from meldpunt.jsonapi import (
    error_response,
    error_schema,
    json_content,
    openapi_envelope,
    schema_ref,
)

from .errors import ErrorCode

_TOKEN_ERRORS = {
    "401": {
        **error_response(
            "No token, a wrong or replaced one, or the client's access has been switched off.",
            ErrorCode.TOKEN_MISSING,
            ErrorCode.TOKEN_INVALID,
            ErrorCode.TOKEN_REVOKED,
        ),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
}
_METHOD_ERRORS = {
    "405": {
        **error_response(
            "The route exists but not with this method.", ErrorCode.METHOD_NOT_ALLOWED
        ),
        "headers": {"Allow": {"schema": {"type": "string"}}},
    },
}
_SHARD_ERRORS = {
    "503": {
        **error_response(
            "Only where the lists are split over shard processes: one of them did not "
            "answer. Nothing was checked or counted; send the same request again after "
            "`Retry-After` seconds.",
            ErrorCode.SHARDS_UNAVAILABLE,
        ),
        "headers": {
            "Retry-After": {
                "schema": {"type": "string"},
                "description": "Seconds to wait before sending the request again.",
            }
        },
    },
}
_BATCH_QUOTA_ERRORS = {
    "429": {
        **error_response(
            "Today's quota cannot cover this batch; nothing was checked or counted.",
            ErrorCode.QUOTA_EXCEEDED,
        ),
        "headers": {
            "Retry-After": {
                "schema": {"type": "string"},
                "description": "Seconds until the quota resets at midnight.",
            }
        },
    },
}
_LANGUAGE = {"$ref": "#/components/parameters/AcceptLanguage"}
_TOKEN = [{"clientToken": []}]

SCHEMAS: dict[str, Any] = {
    "Error": error_schema(ErrorCode),
    "Item": {
        "type": "object",
        "description": (
            "One hash. Fields other than these four are refused per item (`unknown_field`)."
        ),
        "required": ["algorithm", "value"],
        "properties": {
            "algorithm": {"type": "string", "enum": list(Algorithm.values)},
            "value": {
                "type": "string",
                "description": (
                    "Hexadecimal, upper or lower case: 64 digits for sha256 and pdq, "
                    "40 for sha1, 32 for md5."
                ),
                "pattern": "^[0-9A-Fa-f]+$",
            },
            "id": {
                "type": "string",
                "maxLength": MAX_REFERENCE_LENGTH,
                "description": "Your own reference, echoed back and never stored.",
            },
            "quality": {
                "type": "integer",
                "minimum": 0,
                "maximum": 100,
                "description": (
                    "PDQ only: the hash's quality. Hashes under the minimum (50 by default) "
                    "are not checked (`low_quality`); without it the hash is checked."
                ),
            },
        },
    },
    "Batch": {
        "type": "object",
        "required": ["items"],
        "additionalProperties": False,
        "properties": {
            "items": {
                "type": "array",
                "maxItems": 1000,  # HASHES_CHECK_MAX_ITEMS, filled in when served
                "items": schema_ref("Item"),
            }
        },
    },
    "Match": {
        "type": "object",
        "required": ["label", "distance"],
        "properties": {
            "label": {
                "type": "string",
                "description": "The public label of a list the hash is on.",
            },
            "distance": {
                "type": "integer",
                "minimum": 0,
                "maximum": 256,
                "description": "0 for exact hashes; the Hamming distance (bits) for PDQ.",
            },
        },
    },
    "ItemError": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "enum": list(ItemCode.ALL)},
            "message": {"type": "string"},
        },
    },
    "Result": {
        "description": "The answer for the item at `index`: checked, or refused with `error`.",
        "oneOf": [
            {
                "type": "object",
                "required": ["index", "id", "matched", "matches"],
                "additionalProperties": False,
                "properties": {
                    "index": {"type": "integer", "minimum": 0},
                    "id": {"type": ["string", "null"]},
                    "matched": {"type": "boolean"},
                    "matches": {"type": "array", "items": schema_ref("Match")},
                },
            },
            {
                "type": "object",
                "required": ["index", "id", "error"],
                "additionalProperties": False,
                "properties": {
                    "index": {"type": "integer", "minimum": 0},
                    "id": {"type": ["string", "null"]},
                    "error": schema_ref("ItemError"),
                },
            },
        ],
    },
    "Quota": {
        "type": "object",
        "required": ["limit", "used", "remaining"],
        "description": "Hashes per day (local calendar day of the hotline).",
        "properties": {
            "limit": {"type": "integer", "minimum": 0},
            "used": {"type": "integer", "minimum": 0},
            "remaining": {"type": "integer", "minimum": 0},
        },
    },
    "CheckResponse": {
        "type": "object",
        "required": ["results", "summary", "quota"],
        "properties": {
            "results": {
                "type": "array",
                "items": schema_ref("Result"),
                "description": "One result per item, in the order sent.",
            },
            "summary": {
                "type": "object",
                "required": ["checked", "matched", "invalid"],
                "properties": {
                    "checked": {"type": "integer", "minimum": 0},
                    "matched": {"type": "integer", "minimum": 0},
                    "invalid": {"type": "integer", "minimum": 0},
                },
            },
            "quota": schema_ref("Quota"),
        },
    },
    "BulkCheckResponse": {
        "type": "object",
        "required": ["matched", "summary", "quota"],
        "additionalProperties": False,
        "properties": {
            "matched": {
                "type": "array",
                "description": "Only the hashes that matched, in the order sent.",
                "items": {
                    "type": "object",
                    "required": ["index", "matches"],
                    "additionalProperties": False,
                    "properties": {
                        "index": {
                            "type": "integer",
                            "minimum": 0,
                            "description": "The hash's position in the body, from 0.",
                        },
                        "matches": {"type": "array", "items": schema_ref("Match")},
                    },
                },
            },
            "summary": {
                "type": "object",
                "required": ["checked", "matched"],
                "additionalProperties": False,
                "properties": {
                    "checked": {"type": "integer", "minimum": 0},
                    "matched": {"type": "integer", "minimum": 0},
                },
            },
            "quota": schema_ref("Quota"),
        },
    },
    "SingleCheckResponse": {
        "type": "object",
        "required": ["match", "matches", "quota"],
        "additionalProperties": False,
        "properties": {
            "match": {
                "type": "boolean",
                "description": "Whether the hash is on one of this client's lists.",
            },
            "matches": {"type": "array", "items": schema_ref("Match")},
            "quota": schema_ref("Quota"),
        },
    },
    "Account": {
        "type": "object",
        "required": ["client", "labels", "max_items", "max_bulk_items", "quota"],
        "properties": {
            "client": {"type": "string"},
            "labels": {
                "type": "array",
                "items": {"type": "string"},
                "description": "The public labels a match can carry for this client.",
            },
            "max_items": {"type": "integer"},
            "max_bulk_items": {"type": "integer"},
            "quota": schema_ref("Quota"),
        },
    },
}

PATHS: dict[str, Any] = {
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document.",
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": json_content({"type": "object"}),
                },
                **_METHOD_ERRORS,
            },
        }
    },
    "/check": {
        "post": {
            "operationId": "check",
            "summary": "Check a batch of hashes against the lists this client may use.",
            "description": (
                "Each item is answered on its own: a bad item gets an `error` with one of the "
                "item codes and the others are still checked. Only the well-formed items count "
                "against the daily quota; a batch that would pass the quota is refused whole "
                "(429) and nothing is counted. Where the lists are split over shard processes, a "
                "shard that does not answer makes the whole batch a 503 (`shards_unavailable`), "
                "never a partial answer, and nothing is counted. The hashes and ids are not stored."
            ),
            "security": _TOKEN,
            "parameters": [_LANGUAGE],
            "requestBody": {"required": True, "content": json_content(schema_ref("Batch"))},
            "responses": {
                "200": {
                    "description": "One result per item.",
                    "content": json_content(schema_ref("CheckResponse")),
                },
                "400": error_response(
                    "The body is not a JSON object with an `items` array, or has too many items.",
                    ErrorCode.MALFORMED_JSON,
                    ErrorCode.TOO_MANY_ITEMS,
                ),
                **_TOKEN_ERRORS,
                "413": error_response(
                    "The body is larger than allowed.", ErrorCode.REQUEST_TOO_LARGE
                ),
                "415": error_response(
                    "The body is not application/json.", ErrorCode.UNSUPPORTED_MEDIA_TYPE
                ),
                **_BATCH_QUOTA_ERRORS,
                **_SHARD_ERRORS,
                **_METHOD_ERRORS,
            },
        }
    },
    "/check/bulk": {
        "post": {
            "operationId": "checkBulk",
            "summary": "Check many exact hashes of one algorithm sent bare; only matches answered.",
            "description": (
                "For scanning many files: up to `max_bulk_items` (see `/account`) "
                "SHA-256, SHA-1 or MD5 hashes of the algorithm named in the query, as "
                "`application/octet-stream` (the raw digests back to back: 32, 20 or 16 bytes "
                "each) or `text/plain` (one hash per line in hexadecimal, upper or lower case, "
                "each line ended by a newline, the last one optionally). The same matching, "
                "quota and privacy as `POST /check`, but the body is one unit: one malformed "
                "hash refuses the request (400, naming the first bad line) and nothing is "
                "checked or counted. Every hash of an accepted body counts against the daily "
                "quota. The answer lists only the hashes that matched, by their position in "
                "the body. PDQ hashes (with their quality) go to `POST /check`."
            ),
            "security": _TOKEN,
            "parameters": [
                _LANGUAGE,
                {
                    "name": "algorithm",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "enum": ["sha256", "sha1", "md5"]},
                },
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                    "text/plain": {
                        "schema": {
                            "type": "string",
                            "description": "One hexadecimal hash per line.",
                        }
                    },
                },
            },
            "responses": {
                "200": {
                    "description": "The hashes that matched.",
                    "content": json_content(schema_ref("BulkCheckResponse")),
                },
                "400": error_response(
                    "No or another algorithm in the query (`unknown_algorithm`); a raw body "
                    "whose length is not a multiple of the digest size, or a line that is not "
                    "one hash (`wrong_length`, `not_hex`). Nothing was checked or counted.",
                    ErrorCode.UNKNOWN_ALGORITHM,
                    ErrorCode.WRONG_LENGTH,
                    ErrorCode.NOT_HEX,
                ),
                **_TOKEN_ERRORS,
                "413": error_response(
                    "More hashes than `max_bulk_items`.", ErrorCode.REQUEST_TOO_LARGE
                ),
                "415": error_response(
                    "The body is neither application/octet-stream nor text/plain.",
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                ),
                **_BATCH_QUOTA_ERRORS,
                **_SHARD_ERRORS,
                **_METHOD_ERRORS,
            },
        }
    },
    "/check/{algorithm}/{value}": {
        "get": {
            "operationId": "checkOne",
            "summary": "Check one hash, for systems that send one hash per request.",
            "description": (
                "The same check as `POST /check` for a single hash: the same token, the "
                "same validation and messages (as a 400 error instead of a per-item error), "
                "one hash counted against the daily quota. The hash is not stored; since it "
                "travels in the path, a proxy in front must not log paths under `/check/` "
                "(docs/hashes.md)."
            ),
            "security": _TOKEN,
            "parameters": [
                _LANGUAGE,
                {
                    "name": "algorithm",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": list(Algorithm.values)},
                },
                {
                    "name": "value",
                    "in": "path",
                    "required": True,
                    "description": (
                        "Hexadecimal, upper or lower case: 64 digits for sha256 and pdq, "
                        "40 for sha1, 32 for md5."
                    ),
                    "schema": {"type": "string", "pattern": "^[0-9A-Fa-f]+$"},
                },
                {
                    "name": "quality",
                    "in": "query",
                    "required": False,
                    "description": (
                        "PDQ only: the hash's quality (0-100). Hashes under the minimum "
                        "(50 by default) are refused (`low_quality`)."
                    ),
                    "schema": {"type": "integer", "minimum": 0, "maximum": 100},
                },
            ],
            "responses": {
                "200": {
                    "description": "Whether the hash matched, with the public labels.",
                    "content": json_content(schema_ref("SingleCheckResponse")),
                },
                "400": error_response(
                    "The hash is malformed; nothing was checked or counted.",
                    ErrorCode.UNKNOWN_ALGORITHM,
                    ErrorCode.VALUE_MISSING,
                    ErrorCode.NOT_HEX,
                    ErrorCode.WRONG_LENGTH,
                    ErrorCode.BAD_QUALITY,
                    ErrorCode.LOW_QUALITY,
                ),
                **_TOKEN_ERRORS,
                "429": {
                    **error_response(
                        "Today's quota is used up; nothing was checked.",
                        ErrorCode.QUOTA_EXCEEDED,
                    ),
                    "headers": {
                        "Retry-After": {
                            "schema": {"type": "string"},
                            "description": "Seconds until the quota resets at midnight.",
                        }
                    },
                },
                **_SHARD_ERRORS,
                **_METHOD_ERRORS,
            },
        }
    },
    "/account": {
        "get": {
            "operationId": "account",
            "summary": "The client, the labels it can be told and today's quota (free).",
            "security": _TOKEN,
            "parameters": [_LANGUAGE],
            "responses": {
                "200": {
                    "description": "The client's account.",
                    "content": json_content(schema_ref("Account")),
                },
                **_TOKEN_ERRORS,
                **_METHOD_ERRORS,
            },
        }
    },
}


def openapi_document() -> dict[str, Any]:
    schemas = copy.deepcopy(SCHEMAS)
    schemas["Batch"]["properties"]["items"]["maxItems"] = hashes_setting("HASHES_CHECK_MAX_ITEMS")
    return openapi_envelope(
        title="Meldpunt hash-check API",
        description=(
            "For hosting companies and platforms: check hashes of files (SHA-256, SHA-1, "
            "MD5, PDQ) against the hotline's lists of known material. A match names only "
            "the list's public label. The hashes sent are not stored; only a daily count "
            "per client is kept, for the quota and billing. The API sets no cookies. "
            "Messages follow Accept-Language (Dutch by default, English). Any path under "
            "/api/v1/hashes/ not listed here answers 404 with the error code `not_found`. "
            "See docs/hashes.md."
        ),
        server="/api/v1/hashes",
        paths=PATHS,
        schemas=schemas,
        security_schemes={
            "clientToken": {
                "type": "http",
                "scheme": "bearer",
                "description": (
                    "The client's token (`mphc_…`), issued by the hotline with "
                    "`meldpunt hashes client create` and shown once."
                ),
            }
        },
        language_description="Language of messages: `nl` (default) or `en`.",
    )
