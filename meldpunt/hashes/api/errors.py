"""Error codes of the hash-check API; the JSON shape of errors is meldpunt.jsonapi's.

Clients branch on ``code``; ``message`` is for people and follows Accept-Language.
"""

from enum import StrEnum


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
