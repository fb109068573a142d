"""Error codes of the hash-check API; the JSON shape of errors is meldpunt.jsonapi's.

Clients branch on ``code``; ``message`` is for people and follows Accept-Language.
"""

from enum import StrEnum

from meldpunt.hashes.checking import ItemCode


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    MALFORMED_JSON = "malformed_json"
    REQUEST_TOO_LARGE = "request_too_large"
    TOO_MANY_ITEMS = "too_many_items"
    TOKEN_MISSING = "token_missing"  # noqa: S105 (a code, not a secret)
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (a code, not a secret)
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 (a code, not a secret)
    QUOTA_EXCEEDED = "quota_exceeded"
    # The lists are split over shard processes and one of them did not answer.
    SHARDS_UNAVAILABLE = "shards_unavailable"
    # The single-hash check answers a malformed hash with the batch's item codes.
    UNKNOWN_ALGORITHM = ItemCode.UNKNOWN_ALGORITHM
    VALUE_MISSING = ItemCode.VALUE_MISSING
    NOT_HEX = ItemCode.NOT_HEX
    WRONG_LENGTH = ItemCode.WRONG_LENGTH
    BAD_QUALITY = ItemCode.BAD_QUALITY
    LOW_QUALITY = ItemCode.LOW_QUALITY
